// Package requestid makes mutations retry-safe (AIP-155): a client sends a
// UUID with a mutation, and a retry with the same UUID and the same request
// returns the first result instead of acting twice.
package requestid

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
)

// FieldName is the request field carrying the ID.
const FieldName = "request_id"

// From validates the request's request_id field (optional, a UUID) and
// fingerprints the rest of the request.
func From(req proto.Message) (eventstore.Request, error) {
	m := req.ProtoReflect()
	fd := m.Descriptor().Fields().ByName(FieldName)
	if fd == nil || fd.Kind() != protoreflect.StringKind {
		return eventstore.Request{}, nil
	}
	id := m.Get(fd).String()
	if id == "" {
		return eventstore.Request{}, nil
	}
	if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
		return eventstore.Request{}, apierr.Invalid(FieldName, "must be a UUID such as 3f1c0d2e-6a7b-4c8d-9e0f-112233445566")
	}
	clone := proto.Clone(req)
	clone.ProtoReflect().Clear(fd)
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(clone)
	if err != nil {
		return eventstore.Request{}, err
	}
	sum := sha256.Sum256(data)
	return eventstore.Request{ID: id, Fingerprint: hex.EncodeToString(sum[:16])}, nil
}
