package eventstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/integrationsplan/integrationsplan/platform/eventstore"
	"github.com/integrationsplan/integrationsplan/platform/natsembed"
	"github.com/integrationsplan/integrationsplan/platform/natstest"
)

// TestAcknowledgedWriteSurvivesSIGKILL runs the server and a writer in a child
// process, kills it with SIGKILL right after acknowledgements, and checks that
// every acknowledged event is in the store when the server starts again.
func TestAcknowledgedWriteSurvivesSIGKILL(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriterProcess$")
	cmd.Env = append(os.Environ(), "EVENTSTORE_CRASH_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[uint64]string{}
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 200 {
		seq, text, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(seq, 10, 64)
		if err != nil {
			t.Fatalf("child printed %q", sc.Text())
		}
		acked[n] = text
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(acked) < 200 {
		t.Fatalf("child acknowledged only %d writes before it ended", len(acked))
	}

	srv := natstest.StartIn(t, dir)
	_, js := srv.Connect(t)
	stream, err := js.Stream(context.Background(), eventstore.StreamName("crash"))
	if err != nil {
		t.Fatal(err)
	}
	for seq, text := range acked {
		m, err := stream.GetMsg(context.Background(), seq)
		if err != nil {
			t.Fatalf("acknowledged event %d lost: %v", seq, err)
		}
		env, err := eventstore.DecodeRaw(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := env.Payload.(*wrapperspb.StringValue).GetValue(); got != text {
			t.Fatalf("event %d is %q, acknowledged %q", seq, got, text)
		}
	}
}

// TestCrashWriterProcess is the child of TestAcknowledgedWriteSurvivesSIGKILL:
// it writes until it is killed, printing each acknowledged sequence.
func TestCrashWriterProcess(t *testing.T) {
	dir := os.Getenv("EVENTSTORE_CRASH_DIR")
	if dir == "" {
		t.Skip("helper process for TestAcknowledgedWriteSurvivesSIGKILL")
	}
	srv, err := natsembed.Start(natsembed.Config{Host: "127.0.0.1", Port: -1, StoreDir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	st, err := eventstore.Open(ctx, js, eventstore.Config{Service: "crash"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	deadline := time.Now().Add(time.Minute)
	for i := 0; time.Now().Before(deadline); i++ {
		text := fmt.Sprintf("write-%d", i)
		a, err := st.Append(ctx, note("note", fmt.Sprintf("n-%d", i), text), eventstore.ExpectNew)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%d %s\n", a.Seq, text)
	}
	os.Exit(0)
}
