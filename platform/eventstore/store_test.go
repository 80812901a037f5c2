package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openStore(t *testing.T, srv *natstest.Server) *eventstore.Store {
	t.Helper()
	_, js := srv.Connect(t)
	st, err := eventstore.Open(context.Background(), js, eventstore.Config{Service: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func note(aggregate, id, text string) eventstore.Event {
	return eventstore.Event{Aggregate: aggregate, ID: id, Payload: wrapperspb.String(text)}
}

// recorder is a projection keeping every event and each aggregate's version.
type recorder struct {
	mu       sync.Mutex
	events   []eventstore.Envelope
	versions map[string]uint64
}

func newRecorder() *recorder { return &recorder{versions: map[string]uint64{}} }

func (r *recorder) Apply(e eventstore.Envelope) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	r.versions[e.Aggregate+"/"+e.AggregateID] = e.Seq
}

func (r *recorder) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = fmt.Sprintf("%d %s %s %s %s", e.Seq, e.Subject, e.ID, e.Type, e.Payload.(*wrapperspb.StringValue).GetValue())
	}
	return out
}

func TestAppendWritesSubjectHeadersAndPayload(t *testing.T) {
	srv := natstest.Start(t)
	st := openStore(t, srv)
	ctx := context.Background()

	a, err := st.Append(ctx, note("note", "n-1", "hallo"), eventstore.ExpectNew)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	f, err := st.Follow(ctx, rec, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	if len(rec.events) != 1 {
		t.Fatalf("replayed %d events, want 1", len(rec.events))
	}
	e := rec.events[0]
	if e.Seq != a.Seq || e.Subject != "integration.test.note.n-1.string_value" || e.Type != "google.protobuf.StringValue" {
		t.Errorf("stored %d %s %s, want %d integration.test.note.n-1.string_value google.protobuf.StringValue", e.Seq, e.Subject, e.Type, a.Seq)
	}
	for _, h := range []string{"ce-id", "ce-source", "ce-time", "ce-specversion", "Nats-Msg-Id"} {
		if e.Header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if e.Header.Get("Nats-Msg-Id") != e.ID {
		t.Errorf("Nats-Msg-Id %q differs from ce-id %q", e.Header.Get("Nats-Msg-Id"), e.ID)
	}
	if !proto.Equal(e.Payload, wrapperspb.String("hallo")) {
		t.Errorf("payload %v", e.Payload)
	}
}

func TestAppendRejectsInvalidTokens(t *testing.T) {
	st := openStore(t, natstest.Start(t))
	for _, id := range []string{"", "a.b", "a b", "*", ">", "A"} {
		if _, err := st.Append(context.Background(), note("note", id, "x"), eventstore.ExpectNew); err == nil {
			t.Errorf("id %q accepted", id)
		}
	}
}

func TestConcurrentWritersOneWinnerPerVersion(t *testing.T) {
	st := openStore(t, natstest.Start(t))
	ctx := context.Background()
	const writers, rounds = 8, 10
	version := uint64(eventstore.ExpectNew)
	for round := 0; round < rounds; round++ {
		var wins, conflicts atomic.Int32
		var winner atomic.Uint64
		var wg sync.WaitGroup
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := st.Append(ctx, note("note", "shared", fmt.Sprintf("r%d w%d", round, w)), version)
				switch {
				case err == nil:
					wins.Add(1)
					winner.Store(a.Seq)
				case errors.Is(err, eventstore.ErrConflict):
					conflicts.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != writers-1 {
			t.Fatalf("round %d: %d wins, %d conflicts; want 1 and %d", round, wins.Load(), conflicts.Load(), writers-1)
		}
		version = winner.Load()
	}
	last, err := st.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if last != rounds {
		t.Fatalf("stream holds %d events, want %d", last, rounds)
	}
}

func TestExpectNewEnforcesUniqueness(t *testing.T) {
	st := openStore(t, natstest.Start(t))
	ctx := context.Background()
	if _, err := st.Append(ctx, note("number", "2-5", "first"), eventstore.ExpectNew); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, note("number", "2-5", "second"), eventstore.ExpectNew); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("second claim: %v, want ErrConflict", err)
	}
	// Another aggregate whose ID shares a prefix is independent.
	if _, err := st.Append(ctx, note("number", "2-50", "other"), eventstore.ExpectNew); err != nil {
		t.Fatal(err)
	}
}

func TestRetriedPublishWithSameRequestIsStoredOnce(t *testing.T) {
	st := openStore(t, natstest.Start(t))
	ctx := context.Background()
	first, err := st.Append(ctx, note("note", "n-1", "x"), eventstore.ExpectNew, eventstore.WithRequest("req-1", "fp"))
	if err != nil {
		t.Fatal(err)
	}
	// A retry with the expectation it had first is refused by the version
	// check, which the server makes before deduplication; the caller then
	// finds its request in the read model.
	if _, err := st.Append(ctx, note("note", "n-1", "x"), eventstore.ExpectNew, eventstore.WithRequest("req-1", "fp")); !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("retry with the old expectation: %v, want ErrConflict", err)
	}
	// A retry that passes the version check is deduplicated by its message ID.
	retry, err := st.Append(ctx, note("note", "n-1", "x"), first.Seq, eventstore.WithRequest("req-1", "fp"))
	if err != nil {
		t.Fatal(err)
	}
	if !retry.Duplicate || retry.Seq != first.Seq {
		t.Fatalf("retry stored as %+v, want duplicate of %d", retry, first.Seq)
	}
	last, _ := st.LastSeq(ctx)
	if last != 1 {
		t.Fatalf("stream holds %d events, want 1", last)
	}
	rec := newRecorder()
	f, err := st.Follow(ctx, rec, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	r, ok := f.Request("req-1")
	if !ok || r.Seq != first.Seq || r.Fingerprint != "fp" || r.AggregateID != "n-1" {
		t.Fatalf("request record %+v %v", r, ok)
	}
}

func TestFollowerAppliesNewEventsAndSyncSeesOtherWriters(t *testing.T) {
	srv := natstest.Start(t)
	reader := openStore(t, srv)
	writer := openStore(t, srv) // another replica, with its own connection
	ctx := context.Background()
	rec := newRecorder()
	f, err := reader.Follow(ctx, rec, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	for i := range 50 {
		a, err := writer.Append(ctx, note("note", fmt.Sprintf("n-%d", i), "x"), eventstore.ExpectNew)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if got := f.Applied(); got < a.Seq {
			t.Fatalf("after Sync the reader applied %d, the writer stored %d", got, a.Seq)
		}
	}
}

func TestSyncCoalescesConcurrentCallers(t *testing.T) {
	st := openStore(t, natstest.Start(t))
	ctx := context.Background()
	f, err := st.Follow(ctx, newRecorder(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.Sync(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func TestRestartReplaysIdenticalReadModel(t *testing.T) {
	srv := natstest.Start(t)
	dir := srv.Dir
	st := openStore(t, srv)
	ctx := context.Background()
	rec := newRecorder()
	f, err := st.Follow(ctx, rec, quiet)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		id := fmt.Sprintf("n-%d", i%7)
		if _, err := st.Append(ctx, note("note", id, fmt.Sprintf("v%d", i)), rec.version(id)); err != nil {
			t.Fatal(err)
		}
		if err := f.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f.Stop()
	before := rec.snapshot()
	srv.Shutdown()
	srv.WaitForShutdown()

	restarted := natstest.StartIn(t, dir)
	st2 := openStore(t, restarted)
	rec2 := newRecorder()
	f2, err := st2.Follow(ctx, rec2, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Stop()
	after := rec2.snapshot()
	if len(after) != len(before) {
		t.Fatalf("replayed %d events, had %d", len(after), len(before))
	}
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("event %d differs after restart:\n%s\n%s", i, before[i], after[i])
		}
	}
}

func (r *recorder) version(id string) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.versions["note/"+id]
}

func TestWaitForHonoursContext(t *testing.T) {
	st := openStore(t, natstest.Start(t))
	f, err := st.Follow(context.Background(), newRecorder(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := f.WaitFor(ctx, 1000); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitFor beyond the stream: %v", err)
	}
}
