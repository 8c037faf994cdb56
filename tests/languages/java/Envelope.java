// 2Factor's AES-256 envelope (the document's `x-envelope`) with javax.crypto: the hand-written part
// of a Java integration, since no generator reads `x-envelope`. Key = the UTF-8 bytes of the
// 32-character secret key. GCM: base64(nonce(12) || ciphertext || tag(16)), no associated data.
// CBC: base64(IV(16) || ciphertext), PKCS7 padding (javax.crypto calls it PKCS5Padding).
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

final class Envelope {
  /** Every failure to open an envelope; it carries no detail (no padding oracle). */
  static final class EnvelopeException extends Exception {
    EnvelopeException() {
      super("cannot open the envelope");
    }
  }

  private static final Pattern BASE64 =
      Pattern.compile("^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Envelope() {}

  private static SecretKeySpec key(String secretKey) {
    byte[] bytes = secretKey.getBytes(StandardCharsets.UTF_8);
    if (bytes.length != 32) {
      throw new IllegalArgumentException("the secret key must be 32 bytes of UTF-8 (AES-256)");
    }
    return new SecretKeySpec(bytes, "AES");
  }

  /** Seal a UTF-8 JSON plaintext; nonceOrIv is for known-answer tests only (null: a fresh random one). */
  static String seal(String plaintext, String secretKey, String mode, byte[] nonceOrIv)
      throws GeneralSecurityException {
    boolean gcm = mode.equals("GCM");
    if (nonceOrIv == null) {
      nonceOrIv = new byte[gcm ? 12 : 16];
      RANDOM.nextBytes(nonceOrIv);
    }
    Cipher cipher = Cipher.getInstance(gcm ? "AES/GCM/NoPadding" : "AES/CBC/PKCS5Padding");
    cipher.init(
        Cipher.ENCRYPT_MODE,
        key(secretKey),
        gcm ? new GCMParameterSpec(128, nonceOrIv) : new IvParameterSpec(nonceOrIv));
    byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8)); // GCM: ciphertext || tag
    byte[] out = ByteBuffer.allocate(nonceOrIv.length + sealed.length).put(nonceOrIv).put(sealed).array();
    return Base64.getEncoder().encodeToString(out);
  }

  /** Open a sealed body; anything malformed, forged or wrongly keyed is an EnvelopeException. */
  static String open(String body, String secretKey, String mode) throws EnvelopeException {
    String text = body.strip();
    if (!BASE64.matcher(text).matches()) {
      throw new EnvelopeException();
    }
    byte[] raw = Base64.getDecoder().decode(text);
    try {
      byte[] plain;
      if (mode.equals("GCM")) {
        if (raw.length < 12 + 16) {
          throw new EnvelopeException();
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key(secretKey), new GCMParameterSpec(128, raw, 0, 12));
        plain = cipher.doFinal(raw, 12, raw.length - 12);
      } else {
        if (raw.length < 32 || raw.length % 16 != 0) {
          throw new EnvelopeException();
        }
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.DECRYPT_MODE, key(secretKey), new IvParameterSpec(Arrays.copyOf(raw, 16)));
        plain = cipher.doFinal(raw, 16, raw.length - 16);
      }
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(plain))
          .toString();
    } catch (GeneralSecurityException | CharacterCodingException e) {
      throw new EnvelopeException();
    }
  }
}
