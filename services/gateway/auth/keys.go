package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// KeyPrefix starts every API key, so a leaked key is easy to recognise
// (e.g. by secret scanners).
const KeyPrefix = "ipk_"

// hashPrefix names the hash function in the partners file.
const hashPrefix = "sha256:"

// NewKey returns a fresh API key (256 random bits) and the hash line to
// put in the partners file. The key itself is shown once and stored nowhere.
func NewKey() (key, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: crypto/rand crashes the program instead
	key = KeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return key, HashKey(key)
}

// HashKey returns the stored form of key: "sha256:" and the hex digest.
//
// A fast hash is right here, unlike for passwords: a key has 256 random
// bits, so nobody can guess it from its hash however fast the hash is, and
// a lookup by digest keeps each call's authentication to microseconds.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hashPrefix + hex.EncodeToString(sum[:])
}

// CertificateFingerprint returns a client certificate's entry in the
// partners file: "sha256:" and the hex digest of its DER bytes, the same as
// `openssl x509 -in cert.pem -outform der | sha256sum`.
func CertificateFingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hashPrefix + hex.EncodeToString(sum[:])
}

func validHash(h string) bool {
	digest, ok := strings.CutPrefix(h, hashPrefix)
	if !ok || len(digest) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(digest)
	return err == nil
}
