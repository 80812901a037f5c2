// Package audit records every call that reads or changes personal data as
// an event on the gateway's own stream:
// integration.gateway.audit.<partner>.access_recorded, carrying who (the
// partner), what (the RPC and the resources it addresses, by pseudonymous
// name only), when and why (the caller's stated purpose).
package audit

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
)

// Service is the gateway's name in its stream and subjects.
const Service = "gateway"

// Aggregate is the subject token of audit records; the partner is the ID.
const Aggregate = "audit"

// PurposeHeader is the metadata key of the caller's stated purpose.
const PurposeHeader = "x-purpose"

// MaxPurpose bounds a purpose's length in characters.
const MaxPurpose = 200

// Purpose returns the one purpose in values or why it is not acceptable.
// The purpose is free text stored in the audit record; callers are told to
// state the reason (e.g. "Beratungsgespräch, Vorgang 2024-117"), not data
// about the person. gRPC metadata is ASCII, so text beyond it is sent
// percent-encoded as UTF-8 ("Beratungsgespr%C3%A4ch"), as is "%" itself.
func Purpose(values []string) (string, error) {
	if len(values) != 1 || values[0] == "" {
		return "", apierr.Invalid(PurposeHeader, "calls on personal data must state their purpose in one %s metadata value", PurposeHeader)
	}
	p, err := url.PathUnescape(values[0])
	if err != nil || !utf8.ValidString(p) || strings.TrimSpace(p) == "" {
		return "", apierr.Invalid(PurposeHeader, "must be text, percent-encoded UTF-8 beyond ASCII")
	}
	if len([]rune(p)) > MaxPurpose {
		return "", apierr.Invalid(PurposeHeader, "at most %d characters", MaxPurpose)
	}
	for _, r := range p {
		if unicode.IsControl(r) {
			return "", apierr.Invalid(PurposeHeader, "no control characters")
		}
	}
	return p, nil
}

// resourceName is what a pseudonymous resource name looks like, e.g.
// participants/p-4f1c or cases/c-1/stages/s-2. Anything else a caller sent
// in a name field is not stored (it might be personal data).
var resourceName = regexp.MustCompile(`^[a-z][a-z_]{0,31}/[a-z0-9][a-z0-9_-]{0,127}(/[a-z][a-z_]{0,31}/[a-z0-9][a-z0-9_-]{0,127}){0,3}$`)

// resourceFields are the request fields that name the resources a call
// addresses.
var resourceFields = []protoreflect.Name{"name", "parent", "participant", "case"}

// NotAResourceName stands in the record for a name field that is not a
// resource name.
const NotAResourceName = "(not a resource name)"

// Resources returns the resource names request (encoded as input's
// message) addresses, read from its top-level name, parent, participant
// and case fields; no other field is looked at.
func Resources(input protoreflect.MessageDescriptor, request []byte) []string {
	msg := dynamicpb.NewMessage(input)
	if err := proto.Unmarshal(request, msg); err != nil {
		return []string{NotAResourceName}
	}
	var out []string
	for _, name := range resourceFields {
		fd := input.Fields().ByName(name)
		if fd == nil || fd.Kind() != protoreflect.StringKind || fd.IsList() || fd.IsMap() || !msg.Has(fd) {
			continue
		}
		v := msg.Get(fd).String()
		if !resourceName.MatchString(v) {
			v = NotAResourceName
		}
		out = append(out, v)
	}
	return out
}

// Recorder appends audit records to the gateway's stream. Records of one
// partner are appended one at a time per gateway; several gateways
// resolve their conflicts by retrying.
type Recorder struct {
	store  *eventstore.Store
	stream jetstream.Stream
	now    func() time.Time
	// maxDelay bounds the time from a call reaching the gateway (the
	// record's time) to its record being stored.
	maxDelay time.Duration

	mu       sync.Mutex
	partners map[string]*partnerLog
}

type partnerLog struct {
	mu    sync.Mutex
	known bool
	last  uint64
}

// Open opens (creating it if needed) the gateway's stream. maxDelay is the
// longest a call may take before its record is stored (the call timeout).
func Open(ctx context.Context, js jetstream.JetStream, replicas int, maxDelay time.Duration) (*Recorder, error) {
	store, err := eventstore.Open(ctx, js, eventstore.Config{Service: Service, Replicas: replicas})
	if err != nil {
		return nil, err
	}
	stream, err := js.Stream(ctx, eventstore.StreamName(Service))
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return &Recorder{store: store, stream: stream, now: time.Now, maxDelay: maxDelay, partners: map[string]*partnerLog{}}, nil
}

// maxAttempts bounds the retries when other gateways record for the same
// partner at the same time.
const maxAttempts = 10

// Record stores rec (its time set now if unset) and returns its stream sequence.
// It returns only once the record is stored: the outcome of a call on
// personal data whose record cannot be stored must not reach the caller.
func (r *Recorder) Record(ctx context.Context, rec *gatewayv1.AccessRecorded) (uint64, error) {
	if rec.GetTime() == nil {
		rec.Time = timestamppb.New(r.now())
	}
	r.mu.Lock()
	pl := r.partners[rec.GetPartner()]
	if pl == nil {
		pl = &partnerLog{}
		r.partners[rec.GetPartner()] = pl
	}
	r.mu.Unlock()

	pl.mu.Lock()
	defer pl.mu.Unlock()
	e := eventstore.Event{Aggregate: Aggregate, ID: rec.GetPartner(), Payload: rec}
	for range maxAttempts {
		if !pl.known {
			last, err := r.lastSeq(ctx, r.store.Subject(e))
			if err != nil {
				return 0, err
			}
			pl.last, pl.known = last, true
		}
		a, err := r.store.Append(ctx, e, pl.last)
		if errors.Is(err, eventstore.ErrConflict) {
			pl.known = false // another gateway recorded for this partner
			continue
		}
		if err != nil {
			pl.known = false
			return 0, err
		}
		pl.last = a.Seq
		return a.Seq, nil
	}
	return 0, fmt.Errorf("audit: %d conflicting appends for partner %s", maxAttempts, rec.GetPartner())
}

func (r *Recorder) lastSeq(ctx context.Context, subject string) (uint64, error) {
	m, err := r.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("audit: last record of %s: %w", subject, err)
	}
	return m.Sequence, nil
}
