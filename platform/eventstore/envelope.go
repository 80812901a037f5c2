package eventstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Envelope is a stored event with its metadata.
type Envelope struct {
	Seq         uint64
	Subject     string
	Aggregate   string
	AggregateID string
	// ID is the CloudEvents id.
	ID string
	// Type is the CloudEvents type, the payload's full message name.
	Type string
	// Time the event was appended.
	Time time.Time
	// RequestID and RequestFingerprint are set for effects of client requests.
	RequestID          string
	RequestFingerprint string
	Header             nats.Header
	Payload            proto.Message
}

// ErrUnknownType means the payload type is not linked into this binary, e.g.
// an event written by a newer version of the service.
var ErrUnknownType = fmt.Errorf("eventstore: unknown event type")

// Decode turns a stream message into an envelope. The payload's Go type must
// be linked into the binary (importing its generated package does that).
func Decode(msg jetstream.Msg) (Envelope, error) {
	meta, err := msg.Metadata()
	if err != nil {
		return Envelope{}, fmt.Errorf("eventstore: metadata: %w", err)
	}
	return decode(msg.Subject(), meta.Sequence.Stream, msg.Headers(), msg.Data())
}

// DecodeRaw turns a message read by sequence into an envelope.
func DecodeRaw(m *jetstream.RawStreamMsg) (Envelope, error) {
	return decode(m.Subject, m.Sequence, m.Header, m.Data)
}

func decode(subject string, seq uint64, h nats.Header, data []byte) (Envelope, error) {
	env := Envelope{
		Seq: seq, Subject: subject, Header: h,
		ID: h.Get(headerID), Type: h.Get(headerType),
		RequestID: h.Get(HeaderRequestID), RequestFingerprint: h.Get(HeaderRequestFingerprint),
	}
	// integration.<service>.<aggregate>.<id>.<event>
	parts := strings.Split(subject, ".")
	if len(parts) != 5 {
		return env, fmt.Errorf("eventstore: subject %q is not integration.<service>.<aggregate>.<id>.<event>", subject)
	}
	env.Aggregate, env.AggregateID = parts[2], parts[3]
	if t, err := time.Parse(time.RFC3339Nano, h.Get(headerTime)); err == nil {
		env.Time = t
	}
	mt, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(env.Type))
	if err != nil {
		return env, fmt.Errorf("%w %q at sequence %d", ErrUnknownType, env.Type, seq)
	}
	payload := mt.New().Interface()
	if err := proto.Unmarshal(data, payload); err != nil {
		return env, fmt.Errorf("eventstore: decode %s at sequence %d: %w", env.Type, seq, err)
	}
	env.Payload = payload
	return env, nil
}
