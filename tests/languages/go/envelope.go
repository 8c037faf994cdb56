// Package roundtrip checks the Go client generated from the published document against a real
// emulator. This file is the hand-written part no generator produces: 2Factor's AES-256 envelope
// (the document's `x-envelope`), with the standard library's crypto/aes and crypto/cipher.
// Key = the UTF-8 bytes of the 32-character secret key. GCM: base64(nonce(12) || ciphertext ||
// tag(16)), no associated data. CBC: base64(IV(16) || ciphertext), PKCS7 padding.
package roundtrip

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf8"
)

// ErrEnvelope is every failure to open an envelope; it carries no detail (no padding oracle).
var ErrEnvelope = errors.New("cannot open the envelope")

func newBlock(secretKey string) (cipher.Block, error) {
	if len(secretKey) != 32 {
		return nil, errors.New("the secret key must be 32 bytes of UTF-8 (AES-256)")
	}
	return aes.NewCipher([]byte(secretKey))
}

// Seal encrypts a UTF-8 JSON plaintext. nonceOrIV is for known-answer tests only; nil draws a
// fresh random one, as every real envelope must.
func Seal(plaintext, secretKey, mode string, nonceOrIV []byte) (string, error) {
	block, err := newBlock(secretKey)
	if err != nil {
		return "", err
	}
	switch mode {
	case "GCM":
		if nonceOrIV == nil {
			nonceOrIV = make([]byte, 12)
			if _, err := rand.Read(nonceOrIV); err != nil {
				return "", err
			}
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return "", err
		}
		sealed := gcm.Seal(append([]byte{}, nonceOrIV...), nonceOrIV, []byte(plaintext), nil)
		return base64.StdEncoding.EncodeToString(sealed), nil
	case "CBC":
		if nonceOrIV == nil {
			nonceOrIV = make([]byte, aes.BlockSize)
			if _, err := rand.Read(nonceOrIV); err != nil {
				return "", err
			}
		}
		pad := aes.BlockSize - len(plaintext)%aes.BlockSize
		padded := append([]byte(plaintext), bytes.Repeat([]byte{byte(pad)}, pad)...)
		out := append(append([]byte{}, nonceOrIV...), make([]byte, len(padded))...)
		cipher.NewCBCEncrypter(block, nonceOrIV).CryptBlocks(out[aes.BlockSize:], padded)
		return base64.StdEncoding.EncodeToString(out), nil
	}
	return "", errors.New("mode must be GCM or CBC")
}

// Open decrypts a sealed body; any malformed, forged or wrongly keyed body is ErrEnvelope.
func Open(body, secretKey, mode string) (string, error) {
	block, err := newBlock(secretKey)
	if err != nil {
		return "", err
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(body))
	if err != nil {
		return "", ErrEnvelope
	}
	var plain []byte
	switch mode {
	case "GCM":
		if len(raw) < 12+16 {
			return "", ErrEnvelope
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return "", err
		}
		plain, err = gcm.Open(nil, raw[:12], raw[12:], nil)
		if err != nil {
			return "", ErrEnvelope
		}
	case "CBC":
		if len(raw) < 2*aes.BlockSize || len(raw)%aes.BlockSize != 0 {
			return "", ErrEnvelope
		}
		plain = make([]byte, len(raw)-aes.BlockSize)
		cipher.NewCBCDecrypter(block, raw[:aes.BlockSize]).CryptBlocks(plain, raw[aes.BlockSize:])
		pad := int(plain[len(plain)-1])
		if pad < 1 || pad > aes.BlockSize || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
			return "", ErrEnvelope
		}
		plain = plain[:len(plain)-pad]
	default:
		return "", errors.New("mode must be GCM or CBC")
	}
	if !utf8.Valid(plain) {
		return "", ErrEnvelope
	}
	return string(plain), nil
}
