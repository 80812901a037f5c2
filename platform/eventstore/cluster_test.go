package eventstore_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natsembed"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestClusterNodeLossLosesNoAcknowledgedWrite runs a three-node cluster with
// a three-replica stream, kills one node while writers append, and checks
// that every acknowledged event is stored, and that writes go on.
func TestClusterNodeLossLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	const nodes = 3
	clientPorts, routePorts := make([]int, nodes), make([]int, nodes)
	for i := range nodes {
		clientPorts[i], routePorts[i] = freePort(t), freePort(t)
	}
	var routes, urls []string
	for i := range nodes {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", routePorts[i]))
		urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", clientPorts[i]))
	}
	servers := make([]*server.Server, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func() { // a node becomes ready only once it sees the others
			defer wg.Done()
			srv, err := natsembed.Start(natsembed.Config{
				Host: "127.0.0.1", Port: clientPorts[i], StoreDir: t.TempDir(), ServerName: fmt.Sprintf("n%d", i+1),
				ClusterName: "test", ClusterPort: routePorts[i], Routes: routes,
			})
			if err != nil {
				t.Error(err)
				return
			}
			servers[i] = srv
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Cleanup(func() {
		for _, s := range servers {
			s.Shutdown()
		}
	})

	nc, err := nats.Connect(urls[0]+","+urls[1]+","+urls[2], nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var st *eventstore.Store
	for deadline := time.Now().Add(30 * time.Second); ; { // until the cluster has elected its meta leader
		st, err = eventstore.Open(ctx, js, eventstore.Config{Service: "cluster", Replicas: 3})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Kill a node that is not the client's, so writes must survive a lost replica
	// (and, when it led the stream, a leader election).
	victim := servers[2]
	var mu sync.Mutex
	acked := map[uint64]string{}
	var failed, ackedAfterKill int
	var killed bool
	stopWriting := time.Now().Add(4 * time.Second)
	killAt := time.Now().Add(1500 * time.Millisecond)
	var killOnce sync.Once
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			version := eventstore.ExpectNew
			for i := 0; time.Now().Before(stopWriting); i++ {
				if time.Now().After(killAt) {
					killOnce.Do(func() {
						victim.Shutdown()
						mu.Lock()
						killed = true
						mu.Unlock()
					})
				}
				text := fmt.Sprintf("w%d-%d", w, i)
				actx, cancel := context.WithTimeout(ctx, 2*time.Second)
				a, err := st.Append(actx, eventstore.Event{Aggregate: "note", ID: fmt.Sprintf("w%d", w), Payload: wrapperspb.String(text)}, version)
				cancel()
				if err != nil {
					// Not acknowledged: no promise. A timed-out append may still
					// have been stored, so the next one must re-read the version.
					mu.Lock()
					failed++
					mu.Unlock()
					if !errors.Is(err, eventstore.ErrConflict) {
						time.Sleep(50 * time.Millisecond)
					}
					if v, err := lastVersion(ctx, js, w); err == nil {
						version = v
					}
					continue
				}
				version = a.Seq
				mu.Lock()
				acked[a.Seq] = text
				if killed {
					ackedAfterKill++
				}
				mu.Unlock()
			}
		}()
	}
	writers.Wait()
	stream, err := js.Stream(ctx, eventstore.StreamName("cluster"))
	if err != nil {
		t.Fatal(err)
	}
	for seq, text := range acked {
		m, err := stream.GetMsg(ctx, seq)
		if err != nil {
			t.Fatalf("acknowledged event %d lost: %v", seq, err)
		}
		var got wrapperspb.StringValue
		if err := proto.Unmarshal(m.Data, &got); err != nil || got.GetValue() != text {
			t.Fatalf("event %d holds %q (%v), acknowledged %q", seq, got.GetValue(), err, text)
		}
	}
	t.Logf("%d appends acknowledged (%d after the node died), %d not; every acknowledged one is stored", len(acked), ackedAfterKill, failed)
	if ackedAfterKill < 20 {
		t.Fatalf("only %d appends acknowledged after the node died; the cluster did not keep serving", ackedAfterKill)
	}
}

func lastVersion(ctx context.Context, js jetstream.JetStream, writer int) (uint64, error) {
	s, err := js.Stream(ctx, eventstore.StreamName("cluster"))
	if err != nil {
		return 0, err
	}
	m, err := s.GetLastMsgForSubject(ctx, fmt.Sprintf("integration.cluster.note.w%d.>", writer))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return m.Sequence, nil
}
