package roundtrip

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

type vector struct {
	Name      string `json:"name"`
	Mode      string `json:"mode"`
	SecretKey string `json:"secretKey"`
	Nonce     string `json:"nonce"`
	IV        string `json:"iv"`
	Plaintext string `json:"plaintext"`
	Body      string `json:"body"`
	Valid     *bool  `json:"valid"`
}

// vectors reads the known-answer vectors of the published document (x-envelope.vectors).
func vectors(t *testing.T) []vector {
	text, err := os.ReadFile(env(t, "TWOFACTOR_DOCUMENT"))
	if err != nil {
		t.Fatal(err)
	}
	var document struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"` // a path item also holds "parameters"
	}
	var operation struct {
		Envelope struct {
			Vectors []vector `json:"vectors"`
		} `json:"x-envelope"`
	}
	if err := json.Unmarshal(text, &document); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(document.Paths["/API/R1"]["post"], &operation); err != nil {
		t.Fatal(err)
	}
	found := operation.Envelope.Vectors
	if len(found) == 0 {
		t.Fatal("the document has no x-envelope.vectors")
	}
	return found
}

func TestEnvelopeVectors(t *testing.T) {
	for _, v := range vectors(t) {
		v := v
		t.Run(v.Name, func(t *testing.T) {
			if v.Valid != nil && !*v.Valid {
				if _, err := Open(v.Body, v.SecretKey, v.Mode); !errors.Is(err, ErrEnvelope) {
					t.Fatalf("opened a body that must be refused (err %v)", err)
				}
				return
			}
			hexNonce := v.Nonce
			if v.Mode == "CBC" {
				hexNonce = v.IV
			}
			nonceOrIV, err := hex.DecodeString(hexNonce)
			if err != nil {
				t.Fatal(err)
			}
			body, err := Seal(v.Plaintext, v.SecretKey, v.Mode, nonceOrIV)
			if err != nil || body != v.Body {
				t.Fatalf("sealed %q (err %v), want %q", body, err, v.Body)
			}
			plain, err := Open(v.Body, v.SecretKey, v.Mode)
			if err != nil || plain != v.Plaintext {
				t.Fatalf("opened %q (err %v), want %q", plain, err, v.Plaintext)
			}
		})
	}
}
