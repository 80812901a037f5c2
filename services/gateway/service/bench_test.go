package service_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/integrationsplan/integrationsplan/platform/principal"
	pb "github.com/integrationsplan/integrationsplan/proto/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/service"
)

// nginxBinary is Debian's nginx, the reference proxy of the benchmark.
const nginxBinary = "/usr/sbin/nginx"

// benchConfig is a gateway on Redis (rate limits and idempotency keys)
// with limits far above what the benchmark calls, so every call pays for
// the check and none is refused.
func benchConfig(b *testing.B, s *system) service.Config {
	cfg := s.config()
	cfg.RedisURL, cfg.RedisPrefix = redisURL(b)
	cfg.RateLimits = "read=1000000/s:1000000,write=1000000/s:1000000,admin=1000000/s:1000000"
	return cfg
}

// partnerContext calls as partner, without a deadline (a benchmark's
// contexts must not pile up cleanups).
func (s *system) partnerContext(partner string) context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+s.keys[partner])
}

// directClient calls addr (measures itself or a proxy in front of it)
// with a principal signed per call, as the gateway sends it.
func (s *system) directClient(b *testing.B, addr string) pb.MeasureServiceClient {
	keys, err := principal.ParseKeys(s.principalKeys)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := principal.NewSigner(keys[0], 30*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	caller := principal.Principal{Partner: reader, Scopes: []string{"measures.read"}}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithUnaryInterceptor(principal.UnaryClientInterceptor(signer, func(context.Context) principal.Principal { return caller })))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	return pb.NewMeasureServiceClient(conn)
}

// startNginx runs nginx on loopback as a gRPC proxy to backend (HTTP/2
// in and out, upstream connections kept alive) and returns its address.
func startNginx(b *testing.B, backend string) string {
	if _, err := os.Stat(nginxBinary); err != nil {
		b.Skipf("the comparison needs nginx at %s (Debian: apt-get install nginx-light): %v", nginxBinary, err)
	}
	dir := b.TempDir()
	addr := closedAddr(b)
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
	access_log %[1]s/access.log;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	upstream measures {
		server %[2]s;
		keepalive 64;
	}
	server {
		listen %[3]s http2;
		location / { grpc_pass grpc://measures; }
	}
}
`, dir, backend, addr)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(nginxBinary, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", path)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	for {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			b.Fatalf("nginx exited: %v\n%s%s", err, out, log)
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// latencies are the sorted durations of a run's calls and its wall time.
type latencies struct {
	sorted []time.Duration
	wall   time.Duration
}

func (l latencies) quantile(q float64) time.Duration {
	return l.sorted[int(q*float64(len(l.sorted)-1))]
}

func (l latencies) perSecond() float64 { return float64(len(l.sorted)) / l.wall.Seconds() }

func µs(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// run makes n calls from conc goroutines.
func run(b *testing.B, n, conc int, call func() error) latencies {
	var next atomic.Int64
	all := make([][]time.Duration, conc)
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conc {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				if err := call(); err != nil {
					failed.Store(err)
					return
				}
				all[w] = append(all[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	sorted := slices.Concat(all...)
	slices.Sort(sorted)
	return latencies{sorted: sorted, wall: wall}
}

// BenchmarkGetMeasure calls GetMeasure (a) directly against measures, (b)
// through the gateway with API key, scope check and Redis rate limit and
// (c) through nginx grpc_pass, each b.N times at the same concurrency, in
// one run. gateway-added/nginx-added compares the p50 (p99) latency each
// proxy adds to the direct call; the target is at most 1.
func BenchmarkGetMeasure(b *testing.B) {
	s := startSystem(b)
	gw := s.startGateway(benchConfig(b, s))
	s.fixture(gw)
	nginx := startNginx(b, s.measures.GRPCAddr())
	req := &pb.GetMeasureRequest{Name: m25}
	direct, viaNginx := s.directClient(b, s.measures.GRPCAddr()), s.directClient(b, nginx)
	ctx := context.Background()
	gwCtx := s.partnerContext(reader)
	paths := []struct {
		name string
		call func() error
	}{
		{"direct", func() error { _, err := direct.GetMeasure(ctx, req); return err }},
		{"gateway", func() error { _, err := gw.client.GetMeasure(gwCtx, req); return err }},
		{"nginx", func() error { _, err := viaNginx.GetMeasure(ctx, req); return err }},
	}
	const round = 100
	for _, conc := range []int{1, 16} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			for _, p := range paths { // warm connections and caches
				run(b, 10*conc, conc, p.call)
			}
			b.ResetTimer()
			// In rounds, the paths taking turns, so a change in the
			// machine's load falls on all three alike.
			got := map[string]latencies{}
			for done := 0; done < b.N; done += round {
				for _, p := range paths {
					l := run(b, min(round, b.N-done), conc, p.call)
					got[p.name] = latencies{sorted: append(got[p.name].sorted, l.sorted...), wall: got[p.name].wall + l.wall}
				}
			}
			b.StopTimer()
			for _, p := range paths {
				l := got[p.name]
				slices.Sort(l.sorted)
				b.ReportMetric(µs(l.quantile(0.5)), p.name+"-p50-µs")
				b.ReportMetric(µs(l.quantile(0.99)), p.name+"-p99-µs")
				b.ReportMetric(l.perSecond(), p.name+"-calls/s")
			}
			for q, name := range map[float64]string{0.5: "p50", 0.99: "p99"} {
				base := got["direct"].quantile(q)
				gwAdded, nginxAdded := got["gateway"].quantile(q)-base, got["nginx"].quantile(q)-base
				b.ReportMetric(µs(gwAdded), "gateway-added-"+name+"-µs")
				b.ReportMetric(µs(nginxAdded), "nginx-added-"+name+"-µs")
				b.ReportMetric(float64(gwAdded)/float64(nginxAdded), "gateway-added/nginx-added-"+name)
			}
			b.ReportMetric(0, "ns/op") // three paths per op: the figures above say it
		})
	}
}

// BenchmarkServerSentEventsFanOut: 100 dashboards follow /v1/events; each
// op is a status change written through the gateway's gRPC, timed until
// every subscriber has received it (p50/p99 over the ops), and per
// subscriber (p99 over all receipts). The baseline is the write itself,
// which returns once measures stored and applied the event.
func BenchmarkServerSentEventsFanOut(b *testing.B) {
	const subscribers = 100
	s := startSystem(b)
	gw := s.startGateway(benchConfig(b, s))
	s.fixture(gw)
	for _, st := range []pb.AdoptionStatus{considering, pb.AdoptionStatus_ADOPTION_STATUS_ADOPTED} {
		if _, err := gw.client.SetAdoptionStatus(s.partnerContext(backnang), setStatus("backnang", st)); err != nil {
			b.Fatal(err)
		}
	}
	type receipt struct {
		sequence string
		at       time.Time
	}
	receipts := make(chan receipt, subscribers)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	transport := &http.Transport{MaxIdleConnsPerHost: subscribers}
	b.Cleanup(transport.CloseIdleConnections)
	var readers sync.WaitGroup
	defer readers.Wait()
	defer cancel()
	for range subscribers {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, gw.httpURL+"/v1/events?services=measures", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+s.keys[reader])
		resp, err := transport.RoundTrip(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("subscribing: %v %v", resp, err)
		}
		readers.Go(func() {
			defer resp.Body.Close()
			r := bufio.NewReader(resp.Body)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if id, ok := strings.CutPrefix(line, "id: "); ok {
					select {
					case receipts <- receipt{sequence: strings.TrimSpace(id), at: time.Now()}:
					case <-ctx.Done():
						return
					}
				}
			}
		})
	}
	wctx := s.partnerContext(backnang)
	writes := make([]time.Duration, 0, b.N)
	everyone := make([]time.Duration, 0, b.N)
	each := make([]time.Duration, 0, b.N*subscribers)
	b.ResetTimer()
	for i := range b.N {
		req := setStatus("backnang", pb.AdoptionStatus_ADOPTION_STATUS_IN_PROGRESS)
		req.ProgressPercent = proto.Int32(int32(i % 100))
		t0 := time.Now()
		resp, err := gw.client.SetAdoptionStatus(wctx, req)
		if err != nil {
			b.Fatal(err)
		}
		writes = append(writes, time.Since(t0))
		want := "measures:" + resp.GetAdoption().GetEtag()
		var last time.Time
		for n := 0; n < subscribers; {
			r := <-receipts
			if r.sequence != want {
				b.Fatalf("a subscriber received %s, want %s", r.sequence, want)
			}
			each = append(each, r.at.Sub(t0))
			last = r.at
			n++
		}
		everyone = append(everyone, last.Sub(t0))
	}
	b.StopTimer()
	slices.Sort(writes)
	slices.Sort(everyone)
	slices.Sort(each)
	write, all, one := latencies{sorted: writes}, latencies{sorted: everyone}, latencies{sorted: each}
	b.ReportMetric(µs(write.quantile(0.5)), "write-p50-µs")
	b.ReportMetric(µs(all.quantile(0.5)), "all-received-p50-µs")
	b.ReportMetric(µs(all.quantile(0.99)), "all-received-p99-µs")
	b.ReportMetric(µs(one.quantile(0.99)), "each-received-p99-µs")
}
