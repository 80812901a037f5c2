package service_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/measures/adapters/derive"
	"github.com/integrationsplan/integrationsplan/services/measures/service"
)

// TestSIGKILLLosesNoAcknowledgedWriteAndStaysLinearizable kills the service
// process with SIGKILL while clients read and write adoptions with etags,
// restarts it, and checks that every acknowledged write is in the stream and
// that each adoption's recorded history is linearizable.
func TestSIGKILLLosesNoAcknowledgedWriteAndStaysLinearizable(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts service processes")
	}
	ns := natstest.Start(t)
	addr := freeAddr(t)
	child := startChild(t, ns.ClientURL(), addr)

	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithConnectParams(grpc.ConnectParams{Backoff: backoff.Config{BaseDelay: 20 * time.Millisecond, Multiplier: 1.5, MaxDelay: 200 * time.Millisecond}}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := pb.NewMeasureServiceClient(conn)
	h := &harness{t: t, client: client}
	waitServing(t, client)
	fixtureTB(t, h)
	keys := []string{"measures/m-2-5", "measures/m-2-7"}
	if _, err := client.CreateMeasure(ctx(t), withMeasure(func(*pb.Measure) {})); err != nil {
		t.Fatal(err)
	}
	initial := map[string]regState{}
	for _, k := range keys {
		for _, s := range []pb.AdoptionStatus{pb.AdoptionStatus_ADOPTION_STATUS_CONSIDERING, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED} {
			if _, err := client.SetAdoptionStatus(ctx(t), setStatus(k+"/adoptions/backnang", s)); err != nil {
				t.Fatal(err)
			}
		}
		r := setStatus(k+"/adoptions/backnang", pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS)
		r.ProgressPercent = pct(0)
		resp, err := client.SetAdoptionStatus(ctx(t), r)
		if err != nil {
			t.Fatal(err)
		}
		initial[k] = regState{key: k, progress: 0, version: etagVersion(t, resp.GetAdoption().GetEtag())}
	}

	began := time.Now()
	var mu sync.Mutex
	var history []porcupine.Operation
	record := func(op porcupine.Operation) {
		mu.Lock()
		history = append(history, op)
		mu.Unlock()
	}
	now := func() int64 { return int64(time.Since(began)) }
	const end = int64(1) << 62 // the return of an operation whose outcome is unknown
	stop := began.Add(4 * time.Second)
	var clients sync.WaitGroup
	for id := range 6 {
		clients.Add(1)
		go func() {
			defer clients.Done()
			key := keys[id%len(keys)]
			for time.Now().Before(stop) {
				c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				call := now()
				read, err := client.ListAdoptions(c, &pb.ListAdoptionsRequest{Parent: key, Actor: backnang})
				ret := now()
				cancel()
				if err != nil {
					time.Sleep(20 * time.Millisecond) // a failed read has no effect: leave it out
					continue
				}
				a := read.GetAdoptions()[0]
				seen := regState{key: key, progress: a.GetProgressPercent(), version: etagVersion(t, a.GetEtag())}
				record(porcupine.Operation{ClientId: id, Input: regInput{key: key}, Call: call, Output: regOutput{state: seen}, Return: ret})

				p := rand.Int32N(101)
				c, cancel = context.WithTimeout(context.Background(), 2*time.Second)
				call = now()
				resp, err := client.SetAdoptionStatus(c, &pb.SetAdoptionStatusRequest{
					Name: key + "/adoptions/backnang", Status: pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS, ProgressPercent: &p, Etag: a.GetEtag(),
				})
				ret = now()
				cancel()
				in := regInput{key: key, write: true, progress: p, etag: seen.version}
				switch status.Code(err) {
				case codes.OK:
					record(porcupine.Operation{ClientId: id, Input: in, Call: call, Output: regOutput{outcome: "ok", state: regState{key: key, progress: p, version: etagVersion(t, resp.GetAdoption().GetEtag())}}, Return: ret})
				case codes.Aborted:
					record(porcupine.Operation{ClientId: id, Input: in, Call: call, Output: regOutput{outcome: "aborted"}, Return: ret})
				default: // the write may or may not have happened
					record(porcupine.Operation{ClientId: id, Input: in, Call: call, Output: regOutput{outcome: "unknown"}, Return: end})
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	startChild(t, ns.ClientURL(), addr)
	clients.Wait()

	// Every acknowledged write is in the stream, as acknowledged.
	_, js := ns.Connect(t)
	stream, err := js.Stream(context.Background(), eventstore.StreamName(service.Name))
	if err != nil {
		t.Fatal(err)
	}
	var acked, unknown int
	for _, op := range history {
		out := op.Output.(regOutput)
		in := op.Input.(regInput)
		if out.outcome == "unknown" {
			unknown++
		}
		if out.outcome != "ok" {
			continue
		}
		acked++
		m, err := stream.GetMsg(context.Background(), out.state.version)
		if err != nil {
			t.Fatalf("acknowledged write at %d lost: %v", out.state.version, err)
		}
		var ev pb.AdoptionStatusChanged
		if err := proto.Unmarshal(m.Data, &ev); err != nil || "measures/"+ev.GetMeasureId() != in.key || ev.GetProgressPercent() != in.progress {
			t.Fatalf("event %d is %v, acknowledged %v", out.state.version, &ev, in)
		}
	}
	if acked < 20 {
		t.Fatalf("only %d writes acknowledged", acked)
	}
	res, _ := porcupine.CheckOperationsVerbose(registerModel(initial), history, time.Minute)
	if res != porcupine.Ok {
		t.Fatalf("history of %d operations is %s", len(history), res)
	}
	t.Logf("%d operations, %d writes acknowledged, %d with unknown outcome; linearizable", len(history), acked, unknown)

	// The checker is not vacuous: a read of a progress nobody wrote is illegal.
	for i, op := range history {
		if in := op.Input.(regInput); !in.write && op.Call > int64(time.Second) {
			out := op.Output.(regOutput)
			out.state.progress = 1000
			history[i].Output = out
			break
		}
	}
	if res, _ := porcupine.CheckOperationsVerbose(registerModel(initial), history, time.Minute); res != porcupine.Illegal {
		t.Fatalf("a corrupted history checks as %s", res)
	}
}

// TestServiceProcess is the service run as a child process of the crash test.
func TestServiceProcess(t *testing.T) {
	natsURL := os.Getenv("MEASURES_CHILD_NATS_URL")
	if natsURL == "" {
		t.Skip("child process of TestSIGKILLLosesNoAcknowledgedWriteAndStaysLinearizable")
	}
	cfg := service.Config{
		GRPCAddr: os.Getenv("MEASURES_CHILD_ADDR"), AdminAddr: "127.0.0.1:0", NATSURL: natsURL, StreamReplicas: 1,
		ExampleData: os.Getenv("MEASURES_CHILD_EXAMPLE_DATA") != "", IndicatorConsumer: os.Getenv("MEASURES_CHILD_INDICATOR_CONSUMER"),
	}
	service.SetIndicatorHooks(&cfg, func(d *derive.Config) { d.RetryEvery, d.FetchWait = 50*time.Millisecond, 100*time.Millisecond })
	svc, err := service.Start(context.Background(), cfg, quiet)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	_ = svc.Serve(context.Background()) // until killed
	os.Exit(0)
}

// startChild runs the service in a child process; env adds MEASURES_CHILD_*
// settings (EXAMPLE_DATA, INDICATOR_CONSUMER).
func startChild(t *testing.T, natsURL, addr string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServiceProcess$")
	cmd.Env = append(os.Environ(), "MEASURES_CHILD_NATS_URL="+natsURL, "MEASURES_CHILD_ADDR="+addr)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd
}

func waitServing(t *testing.T, client pb.MeasureServiceClient) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if _, err := client.ListActors(ctx(t), &pb.ListActorsRequest{}); err == nil {
			return
		} else if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func etagVersion(t *testing.T, etag string) uint64 {
	var v uint64
	if _, err := fmt.Sscan(etag, &v); err != nil {
		t.Errorf("etag %q is not a version", etag)
	}
	return v
}

// The model: each adoption is a register of (progress, version) written
// with compare-and-set on the version (the etag).
type regState struct {
	key      string
	progress int32
	version  uint64 // 0: not known since a write with unknown outcome took effect
}

type regInput struct {
	key      string
	write    bool
	progress int32
	etag     uint64
}

type regOutput struct {
	outcome string // "ok", "aborted", "unknown" for writes; "" for reads
	state   regState
}

func registerModel(initial map[string]regState) porcupine.Model {
	matches := func(s regState, v uint64) bool { return s.version == 0 || s.version == v }
	model := porcupine.NondeterministicModel{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			byKey := map[string][]porcupine.Operation{}
			for _, op := range history {
				k := op.Input.(regInput).key
				byKey[k] = append(byKey[k], op)
			}
			var out [][]porcupine.Operation
			for _, ops := range byKey {
				out = append(out, ops)
			}
			return out
		},
		Init: func() []interface{} {
			// Partitions share Init; a state only steps with operations on its own key.
			var states []interface{}
			for _, s := range initial {
				states = append(states, s)
			}
			return states
		},
		Step: func(state, input, output interface{}) []interface{} {
			s, in, out := state.(regState), input.(regInput), output.(regOutput)
			if s.key != in.key {
				return nil
			}
			if !in.write {
				if matches(s, out.state.version) && s.progress == out.state.progress {
					return []interface{}{out.state}
				}
				return nil
			}
			switch out.outcome {
			case "ok":
				if matches(s, in.etag) && (s.version == 0 || out.state.version > s.version) {
					return []interface{}{out.state}
				}
				return nil
			case "aborted":
				if s.version == 0 || s.version != in.etag {
					return []interface{}{s}
				}
				return nil
			default:
				next := []interface{}{s}
				if matches(s, in.etag) {
					next = append(next, regState{key: s.key, progress: in.progress})
				}
				return next
			}
		},
	}
	return model.ToModel()
}
