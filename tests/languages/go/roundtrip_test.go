package roundtrip

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"testing"

	twofactor "twofactor-toolkit/generated/go/twofactor"
)

func env(t *testing.T, name string) string {
	value := os.Getenv(name)
	if value == "" {
		t.Fatalf("%s is not set (tests/languages/conftest.py sets it)", name)
	}
	return value
}

type fixture struct {
	client    *twofactor.APIClient
	baseURL   string
	apiKey    string
	secretKey string
	ctx       context.Context
}

func setUp(t *testing.T) fixture {
	config := twofactor.NewConfiguration()
	config.Servers = twofactor.ServerConfigurations{{URL: env(t, "TWOFACTOR_BASE_URL")}}
	return fixture{
		client:    twofactor.NewAPIClient(config),
		baseURL:   env(t, "TWOFACTOR_BASE_URL"),
		apiKey:    env(t, "TWOFACTOR_API_KEY"),
		secretKey: env(t, "TWOFACTOR_SECRET_KEY"),
		ctx:       context.Background(),
	}
}

// control reads the emulator's control API (GET /_emulator/...) into out.
func (f fixture) control(t *testing.T, path, phone string, out any) {
	response, err := http.Get(f.baseURL + path + "?phone=" + url.QueryEscape(phone))
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	if response.StatusCode != 200 {
		t.Fatalf("GET %s for %s: HTTP %d", path, phone, response.StatusCode)
	}
	if err := json.NewDecoder(response.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// latestOTP is the newest OTP the emulator sent to phone.
func (f fixture) latestOTP(t *testing.T, phone string) string {
	var body struct{ Otp string }
	f.control(t, "/_emulator/otp", phone, &body)
	return body.Otp
}

func (f fixture) latestText(t *testing.T, phone string) string {
	var body struct{ Text string }
	f.control(t, "/_emulator/messages/latest", phone, &body)
	return body.Text
}

// errorReply unwraps the HTTP 400 error reply the generated client returns as an error.
func errorReply(t *testing.T, err error) (twofactor.ErrorReply, int) {
	var apiError *twofactor.GenericOpenAPIError
	if !errors.As(err, &apiError) {
		t.Fatalf("expected an error reply, got %v", err)
	}
	reply, ok := apiError.Model().(twofactor.ErrorReply)
	if !ok {
		t.Fatalf("the error has no ErrorReply model: %v", err)
	}
	return reply, 400
}

func check(t *testing.T, err error, response *http.Response) {
	t.Helper()
	if err != nil {
		t.Fatalf("call failed: %v", err)
	}
	if response.StatusCode != 200 {
		t.Fatalf("HTTP %d", response.StatusCode)
	}
}

func TestAutogenThenVerifyWrongAndRight(t *testing.T) {
	f := setUp(t)
	phone := "+919811100201"
	sent, response, err := f.client.OTPAPI.SendOtpAutogen(f.ctx, f.apiKey, phone).Execute()
	check(t, err, response)
	if sent.OtpSendSuccess == nil {
		t.Fatalf("not a success: %+v", sent.ErrorReply)
	}
	session := sent.OtpSendSuccess.Details
	code := f.latestOTP(t, phone)
	if !regexp.MustCompile(`^\d{6}$`).MatchString(code) {
		t.Fatalf("the OTP is %q", code)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, _, err = f.client.OTPVerificationAPI.VerifyOtp(f.ctx, f.apiKey, session, wrong).Execute()
	if reply, _ := errorReply(t, err); reply.Details != "OTP Mismatch" {
		t.Fatalf("wrong code: %+v", reply)
	}
	matched, response, err := f.client.OTPVerificationAPI.VerifyOtp(f.ctx, f.apiKey, session, code).Execute()
	check(t, err, response)
	if matched.VerifySuccess == nil || matched.VerifySuccess.Details != "OTP Matched" {
		t.Fatalf("right code: %+v", matched)
	}
}

func TestAutogen2ThenVerify3(t *testing.T) {
	f := setUp(t)
	phone := "+919811100202"
	sent, response, err := f.client.OTPAPI.SendOtpAutogen2(f.ctx, f.apiKey, phone).Execute()
	check(t, err, response)
	if sent.OtpSendWithValueSuccess == nil {
		t.Fatalf("not a success: %+v", sent.ErrorReply)
	}
	code := sent.OtpSendWithValueSuccess.OTP
	if latest := f.latestOTP(t, phone); code != latest {
		t.Fatalf("the reply's OTP %q is not the SMS's %q", code, latest)
	}
	matched, response, err := f.client.OTPVerificationAPI.VerifyOtpByPhone(f.ctx, f.apiKey, phone, code).Execute()
	check(t, err, response)
	if matched.VerifySuccess == nil || matched.VerifySuccess.Details != "OTP Matched" {
		t.Fatalf("VERIFY3: %+v", matched)
	}
}

func TestCustomOtp(t *testing.T) {
	f := setUp(t)
	phone := "+919811100203"
	sent, response, err := f.client.OTPAPI.SendCustomOtpOrTemplateSms(f.ctx, f.apiKey, phone, "4826").Execute()
	check(t, err, response)
	if sent.OtpSendSuccess == nil {
		t.Fatalf("not a success: %+v", sent.ErrorReply)
	}
	if code := f.latestOTP(t, phone); code != "4826" {
		t.Fatalf("the SMS carried %q", code)
	}
	matched, response, err := f.client.OTPVerificationAPI.VerifyOtp(f.ctx, f.apiKey, sent.OtpSendSuccess.Details, "4826").Execute()
	check(t, err, response)
	if matched.VerifySuccess == nil {
		t.Fatalf("verify: %+v", matched.ErrorReply)
	}
}

func TestR1Form(t *testing.T) {
	f := setUp(t)
	phone, msg := "+919811100204", "go R1 form"
	sent, response, err := f.client.TransactionalSMSAPI.SendSms(f.ctx).
		Module(twofactor.R1MODULE_TRANS_SMS).Apikey(f.apiKey).To(phone[1:]).From("TFACTR").Msg(msg).Execute()
	check(t, err, response)
	if sent.SmsSendSuccess == nil {
		t.Fatalf("not a success: %+v", sent.ErrorReply)
	}
	if text := f.latestText(t, phone); text != msg {
		t.Fatalf("the outbox has %q", text)
	}
}

func TestBulk(t *testing.T) {
	f := setUp(t)
	request := twofactor.NewBulkRequest("TRANS_SMS", f.apiKey, []twofactor.BulkMessage{
		*twofactor.NewBulkMessage("TFACTR", "+919811100205", "bulk one"),
		*twofactor.NewBulkMessage("TFACTR", "+919811100206", "bulk two"),
		*twofactor.NewBulkMessage("TFACTR", "not-a-number", "bulk three"),
	})
	reply, response, err := f.client.BulkSMSAPI.SendBulkSms(f.ctx).BulkRequest(*request).Execute()
	check(t, err, response)
	statuses := []string{}
	for _, m := range reply.Messages {
		statuses = append(statuses, m.Status)
	}
	if reply.MessageCount != 2 || fmt.Sprint(statuses) != "[accepted accepted rejected]" {
		t.Fatalf("bulk reply: %d %v", reply.MessageCount, statuses)
	}
	if text := f.latestText(t, "+919811100206"); text != "bulk two" {
		t.Fatalf("the outbox has %q", text)
	}
}

func TestEncrypted(t *testing.T) {
	f := setUp(t)
	for mode, phone := range map[string]string{"GCM": "+919811100207", "CBC": "+919811100208"} {
		mode, phone := mode, phone
		t.Run(mode, func(t *testing.T) {
			msg := "go encrypted " + mode
			plaintext, _ := json.Marshal(map[string]string{
				"module": "TRANS_SMS", "apikey": f.apiKey, "to": phone[1:], "from": "TFACTR", "msg": msg,
			})
			body, err := Seal(string(plaintext), f.secretKey, mode, nil)
			if err != nil {
				t.Fatal(err)
			}
			sealed, response, err := f.client.EncryptedSMSAPI.SendEncrypted(f.ctx).
				Module("ENC").Encmode(mode).SecretKey(f.secretKey).Body(body).Execute()
			check(t, err, response)
			opened, err := Open(sealed, f.secretKey, mode)
			if err != nil {
				t.Fatalf("the reply does not open: %v", err)
			}
			var reply twofactor.EncSendResult
			if err := json.Unmarshal([]byte(opened), &reply); err != nil || reply.Status != "Success" {
				t.Fatalf("reply %q (err %v)", opened, err)
			}
			if text := f.latestText(t, phone); text != msg {
				t.Fatalf("the outbox has %q", text)
			}
		})
	}
}
