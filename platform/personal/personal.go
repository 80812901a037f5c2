// Package personal keeps a service's personal data (names, contact details,
// notes on people) apart from its event stream, erasable (GDPR Art. 17) by
// crypto-shredding: each person's data is encrypted (AES-256-GCM) under a key
// of its own, and an erasure destroys the key with a secure delete, which
// overwrites the bytes in the block files (a plain delete or KV purge leaves
// them readable, DESIGN §3). Copies of the data elsewhere (backups, old block
// files) become unreadable with it. Keys and ciphertexts are written once
// each, so no revision is ever dropped by a limit without being overwritten.
package personal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrErased means a person's data was erased (or never stored).
var ErrErased = errors.New("personal data erased")

const keySize = 32 // AES-256

// KeyStream and DataStream name a service's two streams. They live apart
// from the event stream and outside integration.> so no event subscriber
// sees them; production NATS permissions must restrict <service>.personal.>
// to the service.
func KeyStream(service string) string  { return strings.ToUpper(service) + "_PERSONAL_KEYS" }
func DataStream(service string) string { return strings.ToUpper(service) + "_PERSONAL_DATA" }

// Store keeps records of type T (JSON-encoded) by person ID.
type Store[T any] struct {
	js                      jetstream.JetStream
	keys, data              jetstream.Stream
	keySubject, dataSubject string
}

// Open creates or updates the service's two streams.
func Open[T any](ctx context.Context, js jetstream.JetStream, service string, replicas int) (*Store[T], error) {
	open := func(name, subjects, what string) (jetstream.Stream, error) {
		s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
			Name: name, Description: what, Subjects: []string{subjects},
			Storage: jetstream.FileStorage, Replicas: replicas, Retention: jetstream.LimitsPolicy,
			// Reads go to the leader, so a read after a write sees it.
			AllowDirect: false,
		})
		if err != nil {
			return nil, fmt.Errorf("personal store: stream %s: %w", name, err)
		}
		return s, nil
	}
	s := &Store[T]{js: js, keySubject: service + ".personal.keys.", dataSubject: service + ".personal.data."}
	var err error
	if s.keys, err = open(KeyStream(service), s.keySubject+">", "Per-person keys of the "+service+" service (erasable)"); err != nil {
		return nil, err
	}
	if s.data, err = open(DataStream(service), s.dataSubject+">", "Encrypted personal data of the "+service+" service"); err != nil {
		return nil, err
	}
	return s, nil
}

// Put stores the personal data of a new person under a fresh key. A
// repeated Put for the same ID (a retried registration) keeps what the first
// stored.
func (s *Store[T]) Put(ctx context.Context, id string, p T) error {
	key := make([]byte, keySize)
	_, _ = rand.Read(key)
	err := s.publishOnce(ctx, s.keySubject+id, key)
	if errors.Is(err, errExists) {
		// An earlier attempt stored the key; its data, if any, was sealed with it.
		msg, err := s.keys.GetLastMsgForSubject(ctx, s.keySubject+id)
		if err != nil {
			return fmt.Errorf("personal store: read key: %w", err)
		}
		key = msg.Data
	} else if err != nil {
		return err
	}
	plain, err := json.Marshal(p)
	if err != nil {
		return err
	}
	sealed, err := seal(key, id, plain)
	if err != nil {
		return err
	}
	if err := s.publishOnce(ctx, s.dataSubject+id, sealed); err != nil && !errors.Is(err, errExists) {
		return err
	}
	return nil
}

var errExists = errors.New("personal store: subject written already")

// publishOnce stores data as the only message of subject.
func (s *Store[T]) publishOnce(ctx context.Context, subject string, data []byte) error {
	_, err := s.js.PublishMsg(ctx, &nats.Msg{Subject: subject, Data: data}, jetstream.WithExpectLastSequencePerSubject(0))
	var jsErr jetstream.JetStreamError
	if errors.As(err, &jsErr) && jsErr.APIError() != nil && jsErr.APIError().ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
		return errExists
	}
	if err != nil {
		return fmt.Errorf("personal store: write %s: %w", subject, err)
	}
	return nil
}

// Get returns a person's data, or ErrErased.
func (s *Store[T]) Get(ctx context.Context, id string) (T, error) {
	var p T
	key, err := s.keys.GetLastMsgForSubject(ctx, s.keySubject+id)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return p, ErrErased
	}
	if err != nil {
		return p, fmt.Errorf("personal store: read key: %w", err)
	}
	sealed, err := s.data.GetLastMsgForSubject(ctx, s.dataSubject+id)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return p, ErrErased
	}
	if err != nil {
		return p, fmt.Errorf("personal store: read data: %w", err)
	}
	plain, err := open(key.Data, id, sealed.Data)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(plain, &p); err != nil {
		return p, fmt.Errorf("personal store: decode: %w", err)
	}
	return p, nil
}

// Erase destroys a person's key and ciphertext with secure deletes.
// It is idempotent, so an interrupted erasure can simply be repeated.
func (s *Store[T]) Erase(ctx context.Context, id string) error {
	for _, t := range []struct {
		stream  jetstream.Stream
		subject string
	}{{s.keys, s.keySubject + id}, {s.data, s.dataSubject + id}} {
		msg, err := t.stream.GetLastMsgForSubject(ctx, t.subject)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("personal store: find %s: %w", t.subject, err)
		}
		if err := t.stream.SecureDeleteMsg(ctx, msg.Sequence); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return fmt.Errorf("personal store: erase %s: %w", t.subject, err)
		}
	}
	return nil
}

// seal encrypts plain under key, bound to the person's ID (additional
// data), so a ciphertext cannot be passed off as another person's.
func seal(key []byte, id string, plain []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, []byte(id)), nil
}

func open(key []byte, id string, sealed []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, errors.New("personal store: ciphertext too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(id))
	if err != nil {
		return nil, fmt.Errorf("personal store: decrypt: %w", err)
	}
	return plain, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("personal store: key: %w", err)
	}
	return cipher.NewGCM(block)
}
