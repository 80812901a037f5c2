package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	rpccode "google.golang.org/genproto/googleapis/rpc/code"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/paging"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
)

// Query selects audit records; zero fields select all.
type Query struct {
	Partner string
	// Resource selects records naming it or a resource below it.
	Resource string
	// Start and End bound the records' times: Start ≤ time < End.
	Start, End time.Time
	// Outcome selects records with this google.rpc.Code name.
	Outcome string
	Page    paging.Page
}

// NewQuery validates an auditor's filters and page.
func NewQuery(partner, resource, outcome string, start, end time.Time, pageSize int32, pageToken string) (Query, error) {
	q := Query{Partner: partner, Resource: resource, Outcome: outcome, Start: start, End: end}
	var v apierr.Violations
	if partner != "" && !auth.ValidID(partner) {
		v.Add("partner", "is not a partner ID")
	}
	if resource != "" && !resourceName.MatchString(resource) {
		v.Add("resource", "is not a resource name such as participants/p-4f1c or cases/c-1")
	}
	if _, ok := rpccode.Code_value[outcome]; outcome != "" && !ok {
		v.Add("outcome", "is not a gRPC status code name such as OK or PERMISSION_DENIED")
	}
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		v.Add("end_time", "must be after start_time")
	}
	if err := v.Err(); err != nil {
		return Query{}, err
	}
	var err error
	q.Page, err = paging.Parse(pageSize, pageToken, fmt.Sprintf("%s|%s|%s|%d|%d", partner, resource, outcome, unixNano(start), unixNano(end)))
	return q, err
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func (q Query) matches(rec *gatewayv1.AccessRecorded) bool {
	t := rec.GetTime().AsTime()
	if (!q.Start.IsZero() && t.Before(q.Start)) || (!q.End.IsZero() && !t.Before(q.End)) {
		return false
	}
	if q.Outcome != "" && rec.GetOutcome() != q.Outcome {
		return false
	}
	if q.Resource == "" {
		return true
	}
	for _, r := range rec.GetResources() {
		if r == q.Resource || strings.HasPrefix(r, q.Resource+"/") {
			return true
		}
	}
	return false
}

// fetchBatch is how many records are read from the stream at once.
const fetchBatch = 256

// clockSkew allows for the clocks of gateways and NATS servers differing
// when the stream is searched by the time records were stored.
const clockSkew = time.Minute

type stored struct {
	seq uint64
	rec *gatewayv1.AccessRecorded
}

// List returns the records q selects, oldest first, and the next page's
// token ("" on the last page). It reads the stream through an ephemeral
// consumer filtered by partner, starting after the previous page or near
// q.Start.
func (r *Recorder) List(ctx context.Context, q Query) ([]*gatewayv1.AccessRecorded, string, error) {
	partner := q.Partner
	if partner == "" {
		partner = "*"
	}
	cfg := jetstream.ConsumerConfig{
		FilterSubject: r.store.Subject(eventstore.Event{Aggregate: Aggregate, ID: partner, Payload: &gatewayv1.AccessRecorded{}}),
		AckPolicy:     jetstream.AckNonePolicy, MemoryStorage: true, InactiveThreshold: time.Minute,
	}
	// A record is stored up to maxDelay after its time.
	slack := r.maxDelay + clockSkew
	switch {
	case q.Page.After != "":
		after, err := strconv.ParseUint(q.Page.After, 10, 64)
		if err != nil {
			return nil, "", apierr.Invalid("page_token", "is not a token this API issued")
		}
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, after+1
	case !q.Start.IsZero():
		from := q.Start.Add(-slack)
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &from
	}
	cons, err := r.stream.CreateConsumer(ctx, cfg)
	if err != nil {
		return nil, "", fmt.Errorf("audit: list: %w", err)
	}
	defer func() { _ = r.stream.DeleteConsumer(context.WithoutCancel(ctx), cons.CachedInfo().Name) }()

	// One more than the page tells whether another page follows.
	var found []stored
	pending := cons.CachedInfo().NumPending
	for pending > 0 && len(found) <= q.Page.Size {
		batch, err := cons.Fetch(int(min(pending, fetchBatch)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return nil, "", fmt.Errorf("audit: list: %w", err)
		}
		read := 0
		for msg := range batch.Messages() {
			read++
			meta, err := msg.Metadata()
			if err != nil {
				return nil, "", fmt.Errorf("audit: list: %w", err)
			}
			pending = meta.NumPending
			if !q.End.IsZero() && meta.Timestamp.After(q.End.Add(slack)) {
				pending = 0 // every later record is later than End
				break
			}
			env, err := eventstore.Decode(msg)
			if err != nil {
				return nil, "", fmt.Errorf("audit: list: %w", err)
			}
			rec, ok := env.Payload.(*gatewayv1.AccessRecorded)
			if !ok {
				continue
			}
			if q.matches(rec) {
				found = append(found, stored{seq: env.Seq, rec: rec})
			}
			if len(found) > q.Page.Size {
				break
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, "", fmt.Errorf("audit: list: %w", err)
		}
		if read == 0 {
			return nil, "", errors.New("audit: list: the stream delivered nothing while records were pending")
		}
	}
	page, next := paging.Cut(q.Page, found,
		func(s stored) string { return strconv.FormatUint(s.seq, 10) },
		func(s stored, after string) bool { n, _ := strconv.ParseUint(after, 10, 64); return s.seq > n })
	out := make([]*gatewayv1.AccessRecorded, len(page))
	for i, s := range page {
		out[i] = s.rec
	}
	return out, next, nil
}
