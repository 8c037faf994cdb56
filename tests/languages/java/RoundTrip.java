// A full round trip against a real emulator through the client openapi-generator's `java` (native
// java.net.http) generates from the published document (generated/java/twofactor). A plain harness,
// no test framework: each check prints "ok - <name>" or "not ok - <name>: <why>", and the exit code
// is the number of failures (tests/languages/test_java.py starts the emulator and runs it).
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import twofactor.client.ApiClient;
import twofactor.client.ApiException;
import twofactor.client.api.BulkSmsApi;
import twofactor.client.api.EncryptedSmsApi;
import twofactor.client.api.OtpApi;
import twofactor.client.api.OtpVerificationApi;
import twofactor.client.api.TransactionalSmsApi;
import twofactor.client.model.BulkMessage;
import twofactor.client.model.BulkMessageStatus;
import twofactor.client.model.BulkRequest;
import twofactor.client.model.BulkSuccess;
import twofactor.client.model.ErrorReply;
import twofactor.client.model.OtpSendReply;
import twofactor.client.model.OtpSendWithValueReply;
import twofactor.client.model.R1Module;
import twofactor.client.model.SmsSendReply;
import twofactor.client.model.VerifyReply;

public final class RoundTrip {
  interface Check {
    void run() throws Exception;
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final String baseUrl = env("TWOFACTOR_BASE_URL");
  private final String apiKey = env("TWOFACTOR_API_KEY");
  private final String secretKey = env("TWOFACTOR_SECRET_KEY");
  private final ApiClient client = new ApiClient();

  private RoundTrip() {
    URI uri = URI.create(baseUrl);
    client.setScheme(uri.getScheme()).setHost(uri.getHost()).setPort(uri.getPort()).setBasePath("");
    // java.net.http offers an HTTP/2 upgrade (h2c) on every plain-HTTP request by default; the
    // API speaks HTTP/1.1 only, so ask for that and skip the futile upgrade headers.
    client.setHttpClientBuilder(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1));
  }

  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(name + " is not set (tests/languages/conftest.py sets it)");
    }
    return value;
  }

  private static void expect(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }

  /** GET on the emulator's control API (/_emulator/...) for one phone. */
  private JsonNode control(String path, String phone) throws Exception {
    String query = "?phone=" + URLEncoder.encode(phone, StandardCharsets.UTF_8);
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path + query)).build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    expect(response.statusCode() == 200, "GET " + path + " for " + phone + ": HTTP " + response.statusCode());
    return JSON.readTree(response.body());
  }

  private String latestOtp(String phone) throws Exception {
    return control("/_emulator/otp", phone).get("otp").asText();
  }

  private String latestText(String phone) throws Exception {
    return control("/_emulator/messages/latest", phone).get("text").asText();
  }

  /** Production answers errors with HTTP 400, which the generated client throws as an ApiException. */
  private static ErrorReply errorReply(Check call) throws Exception {
    try {
      call.run();
    } catch (ApiException e) {
      expect(e.getCode() == 400, "HTTP " + e.getCode());
      return JSON.readValue(e.getResponseBody(), ErrorReply.class);
    }
    throw new AssertionError("expected an error reply");
  }

  void autogenThenVerifyWrongAndRight() throws Exception {
    String phone = "+919811100301";
    OtpSendReply sent = new OtpApi(client).sendOtpAutogen(apiKey, phone);
    String session = sent.getOtpSendSuccess().getDetails(); // a ClassCastException if it is an ErrorReply
    String code = latestOtp(phone);
    expect(code.matches("\\d{6}"), "the OTP is " + code);
    String wrong = code.equals("000000") ? "111111" : "000000";
    OtpVerificationApi verify = new OtpVerificationApi(client);
    ErrorReply mismatch = errorReply(() -> verify.verifyOtp(apiKey, session, wrong));
    expect(mismatch.getDetails().equals("OTP Mismatch"), "wrong code: " + mismatch.getDetails());
    VerifyReply matched = verify.verifyOtp(apiKey, session, code);
    expect(matched.getVerifySuccess().getDetails().getValue().equals("OTP Matched"), "right code: " + matched);
  }

  void autogen2ThenVerify3() throws Exception {
    String phone = "+919811100302";
    OtpSendWithValueReply sent = new OtpApi(client).sendOtpAutogen2(apiKey, phone);
    String code = sent.getOtpSendWithValueSuccess().getOTP();
    expect(code.equals(latestOtp(phone)), "the reply's OTP is not the SMS's");
    VerifyReply matched = new OtpVerificationApi(client).verifyOtpByPhone(apiKey, phone, code);
    expect(matched.getVerifySuccess().getDetails().getValue().equals("OTP Matched"), "VERIFY3: " + matched);
  }

  void customOtp() throws Exception {
    String phone = "+919811100303";
    OtpSendReply sent = new OtpApi(client).sendCustomOtpOrTemplateSms(apiKey, phone, "4826");
    expect(latestOtp(phone).equals("4826"), "the SMS carried another OTP");
    String session = sent.getOtpSendSuccess().getDetails();
    VerifyReply matched = new OtpVerificationApi(client).verifyOtp(apiKey, session, "4826");
    expect(matched.getVerifySuccess().getDetails().getValue().equals("OTP Matched"), "verify: " + matched);
  }

  void r1Form() throws Exception {
    String phone = "+919811100304";
    String msg = "java R1 form";
    SmsSendReply sent = new TransactionalSmsApi(client)
        .sendSms(R1Module.TRANS_SMS, apiKey, phone.substring(1), "TFACTR", msg,
            null, null, null, null, null, null, null, null);
    expect(sent.getSmsSendSuccess().getStatus().getValue().equals("Success"), "R1: " + sent);
    expect(latestText(phone).equals(msg), "the outbox has " + latestText(phone));
  }

  void bulk() throws Exception {
    BulkRequest request = new BulkRequest()
        .module(BulkRequest.ModuleEnum.TRANS_SMS)
        .apikey(apiKey)
        .messages(List.of(
            new BulkMessage().smsFrom("TFACTR").smsTo("+919811100305").smsText("bulk one"),
            new BulkMessage().smsFrom("TFACTR").smsTo("+919811100306").smsText("bulk two"),
            new BulkMessage().smsFrom("TFACTR").smsTo("not-a-number").smsText("bulk three")));
    BulkSuccess reply = new BulkSmsApi(client).sendBulkSms(request);
    List<String> statuses = new ArrayList<>();
    for (BulkMessageStatus message : reply.getMessages()) {
      statuses.add(message.getStatus().getValue());
    }
    expect(reply.getMessageCount() == 2, "messageCount " + reply.getMessageCount());
    expect(statuses.equals(List.of("accepted", "accepted", "rejected")), "statuses " + statuses);
    expect(latestText("+919811100306").equals("bulk two"), "the outbox has " + latestText("+919811100306"));
  }

  void encrypted(String mode, String phone) throws Exception {
    String msg = "java encrypted " + mode;
    String plaintext = JSON.writeValueAsString(
        Map.of("module", "TRANS_SMS", "apikey", apiKey, "to", phone.substring(1), "from", "TFACTR", "msg", msg));
    String body = Envelope.seal(plaintext, secretKey, mode, null);
    String sealedReply = new EncryptedSmsApi(client).sendEncrypted("ENC", secretKey, body, mode);
    JsonNode reply = JSON.readTree(Envelope.open(sealedReply, secretKey, mode));
    expect(reply.get("Status").asText().equals("Success"), "reply " + reply);
    expect(latestText(phone).equals(msg), "the outbox has " + latestText(phone));
  }

  /** The known-answer vectors of the published document (x-envelope.vectors), checked first. */
  static List<String> envelopeVectors() throws Exception {
    JsonNode document = JSON.readTree(Files.readString(Path.of(env("TWOFACTOR_DOCUMENT"))));
    JsonNode vectors = document.get("paths").get("/API/R1").get("post").get("x-envelope").get("vectors");
    List<String> failures = new ArrayList<>();
    expect(vectors != null && vectors.size() > 0, "the document has no x-envelope.vectors");
    for (JsonNode v : vectors) {
      String name = v.get("name").asText();
      String mode = v.get("mode").asText();
      String key = v.get("secretKey").asText();
      String body = v.get("body").asText();
      if (v.has("valid") && !v.get("valid").asBoolean()) {
        try {
          Envelope.open(body, key, mode);
          failures.add(name + ": opened a body that must be refused");
        } catch (Envelope.EnvelopeException expected) {
          // refused, as it must be
        }
        continue;
      }
      byte[] nonceOrIv = HexFormat.of().parseHex(v.get(mode.equals("GCM") ? "nonce" : "iv").asText());
      String plaintext = v.get("plaintext").asText();
      if (!Envelope.seal(plaintext, key, mode, nonceOrIv).equals(body)) {
        failures.add(name + ": sealed to another body");
      }
      if (!Envelope.open(body, key, mode).equals(plaintext)) {
        failures.add(name + ": opened to another plaintext");
      }
    }
    return failures;
  }

  public static void main(String[] args) {
    RoundTrip trip = new RoundTrip();
    Map<String, Check> checks = new java.util.LinkedHashMap<>();
    checks.put("envelope vectors", () -> {
      List<String> failures = envelopeVectors();
      expect(failures.isEmpty(), String.join("; ", failures));
    });
    checks.put("AUTOGEN then VERIFY wrong and right", trip::autogenThenVerifyWrongAndRight);
    checks.put("AUTOGEN2 then VERIFY3", trip::autogen2ThenVerify3);
    checks.put("custom OTP", trip::customOtp);
    checks.put("R1 form", trip::r1Form);
    checks.put("bulk", trip::bulk);
    checks.put("encrypted GCM", () -> trip.encrypted("GCM", "+919811100307"));
    checks.put("encrypted CBC", () -> trip.encrypted("CBC", "+919811100308"));
    int failed = 0;
    for (Map.Entry<String, Check> check : checks.entrySet()) {
      try {
        check.getValue().run();
        System.out.println("ok - " + check.getKey());
      } catch (Exception | AssertionError e) {
        failed++;
        System.out.println("not ok - " + check.getKey() + ": " + e);
      }
    }
    System.out.println(failed == 0 ? "all " + checks.size() + " passed" : failed + " of " + checks.size() + " failed");
    System.exit(failed);
  }
}
