package adapters

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/integrationsplan/integrationsplan/services/labour/domain"
)

// ErrErased means a case's personal data was erased (or never stored).
var ErrErased = errors.New("personal data erased")

// Streams of the personal-data store, apart from the event stream and
// outside integration.> so no event subscriber sees them. Production NATS
// permissions must restrict labour.personal.> to the labour service.
const (
	KeyStream   = "LABOUR_PERSONAL_KEYS"
	DataStream  = "LABOUR_PERSONAL_DATA"
	keySubject  = "labour.personal.keys."
	dataSubject = "labour.personal.data."
	keySize     = 32 // AES-256
)

// PersonalStore, the education service's scheme (a candidate for the shared
// module), keeps personal data erasable by crypto-shredding: each
// case's data is encrypted (AES-256-GCM) under a key of its own, and
// an erasure destroys the key with a secure delete, which overwrites the
// bytes in the block files (a plain delete or KV purge leaves them readable,
// DESIGN §3). Copies of the data elsewhere (backups, old block files) become
// unreadable with it. Keys and ciphertexts are written once each, so no
// revision is ever dropped by a limit without being overwritten.
type PersonalStore struct {
	js         jetstream.JetStream
	keys, data jetstream.Stream
}

// OpenPersonalStore creates or updates the two streams.
func OpenPersonalStore(ctx context.Context, js jetstream.JetStream, replicas int) (*PersonalStore, error) {
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
	keys, err := open(KeyStream, keySubject+">", "Per-case keys of the labour service (erasable)")
	if err != nil {
		return nil, err
	}
	data, err := open(DataStream, dataSubject+">", "Encrypted personal data of the labour service")
	if err != nil {
		return nil, err
	}
	return &PersonalStore{js: js, keys: keys, data: data}, nil
}

// Put stores the personal data of a new case under a fresh key. A
// repeated Put for the same ID (a retried creation) keeps what the first
// stored.
func (s *PersonalStore) Put(ctx context.Context, id string, p domain.PersonalData) error {
	key := make([]byte, keySize)
	_, _ = rand.Read(key)
	err := s.publishOnce(ctx, keySubject+id, key)
	if errors.Is(err, errExists) {
		// An earlier attempt stored the key; its data, if any, was sealed with it.
		msg, err := s.keys.GetLastMsgForSubject(ctx, keySubject+id)
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
	if err := s.publishOnce(ctx, dataSubject+id, sealed); err != nil && !errors.Is(err, errExists) {
		return err
	}
	return nil
}

var errExists = errors.New("personal store: subject written already")

// publishOnce stores data as the only message of subject.
func (s *PersonalStore) publishOnce(ctx context.Context, subject string, data []byte) error {
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

// Get returns a case's personal data, or ErrErased.
func (s *PersonalStore) Get(ctx context.Context, id string) (domain.PersonalData, error) {
	key, err := s.keys.GetLastMsgForSubject(ctx, keySubject+id)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return domain.PersonalData{}, ErrErased
	}
	if err != nil {
		return domain.PersonalData{}, fmt.Errorf("personal store: read key: %w", err)
	}
	sealed, err := s.data.GetLastMsgForSubject(ctx, dataSubject+id)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return domain.PersonalData{}, ErrErased
	}
	if err != nil {
		return domain.PersonalData{}, fmt.Errorf("personal store: read data: %w", err)
	}
	plain, err := open(key.Data, id, sealed.Data)
	if err != nil {
		return domain.PersonalData{}, err
	}
	var p domain.PersonalData
	if err := json.Unmarshal(plain, &p); err != nil {
		return domain.PersonalData{}, fmt.Errorf("personal store: decode: %w", err)
	}
	return p, nil
}

// Erase destroys a case's key and ciphertext with secure deletes.
// It is idempotent, so an interrupted erasure can simply be repeated.
func (s *PersonalStore) Erase(ctx context.Context, id string) error {
	for _, t := range []struct {
		stream  jetstream.Stream
		subject string
	}{{s.keys, keySubject + id}, {s.data, dataSubject + id}} {
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

// seal encrypts plain under key, bound to the case ID (additional
// data), so a ciphertext cannot be passed off as another case's.
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
