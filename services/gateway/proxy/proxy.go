// Package proxy forwards gRPC calls to the backends by proto package,
// without decoding them: one generic handler per RPC of the catalog.
package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/health" // client-side health checking of the backends
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/services/gateway/catalog"
)

// serviceConfig balances over every address of a backend and sends calls
// only to replicas whose health reports SERVING, so a draining or broken
// replica is skipped and a backend with none fails fast with UNAVAILABLE.
const serviceConfig = `{"loadBalancingConfig":[{"round_robin":{}}],"healthCheckConfig":{"serviceName":""}}`

// Backend is one backend service's connection.
type Backend struct {
	Package string
	Addr    string
	conn    *grpc.ClientConn
}

// Dial prepares the connection to the backend serving package pkg at addr
// (a host:port or any gRPC target), with opts added (e.g. client metrics);
// it connects lazily.
func Dial(pkg, addr string, opts ...grpc.DialOption) (*Backend, error) {
	conn, err := grpc.NewClient(addr, append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultServiceConfig(serviceConfig)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("backend %s at %s: %w", pkg, addr, err)
	}
	conn.Connect()
	return &Backend{Package: pkg, Addr: addr, conn: conn}, nil
}

// State is the backend connection's state, e.g. READY or TRANSIENT_FAILURE.
func (b *Backend) State() connectivity.State { return b.conn.GetState() }

// Watch calls report with whether the backend can take calls, now and on
// every change of its connection, until ctx ends. READY (a replica
// reports SERVING) and IDLE (the next call connects) count as available.
func (b *Backend) Watch(ctx context.Context, report func(available bool)) {
	for {
		st := b.conn.GetState()
		report(st == connectivity.Ready || st == connectivity.Idle)
		if !b.conn.WaitForStateChange(ctx, st) {
			return
		}
	}
}

// Close closes the connection.
func (b *Backend) Close() error { return b.conn.Close() }

// Call is one unary call being forwarded.
type Call struct {
	Method  catalog.Method
	Request []byte
}

// Invoke forwards a unary call and returns the response's bytes.
type Invoke func(ctx context.Context, c Call) ([]byte, error)

// Config configures a proxy.
type Config struct {
	Catalog  *catalog.Catalog
	Backends []*Backend
	// Outgoing returns the metadata to send to the backend; in is the
	// caller's metadata without the transport's own headers.
	Outgoing func(ctx context.Context, m catalog.Method, in metadata.MD) (metadata.MD, error)
	// Wrap, if set, wraps the forwarding of unary calls (e.g. idempotency).
	Wrap func(Invoke) Invoke
	// Timeout bounds every unary call: one without a deadline or with a
	// later one gets this one.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Proxy forwards the catalog's RPCs.
type Proxy struct {
	cfg      Config
	backends map[string]*Backend
	unary    Invoke
}

// New checks that every package of the catalog has a backend.
func New(cfg Config) (*Proxy, error) {
	p := &Proxy{cfg: cfg, backends: map[string]*Backend{}}
	for _, b := range cfg.Backends {
		p.backends[b.Package] = b
	}
	for _, m := range cfg.Catalog.Methods() {
		if p.backends[m.Package] == nil {
			return nil, fmt.Errorf("no backend for package %s", m.Package)
		}
	}
	p.unary = p.invoke
	if cfg.Wrap != nil {
		p.unary = cfg.Wrap(p.invoke)
	}
	return p, nil
}

// Register registers a handler for every service of the catalog.
func (p *Proxy) Register(r grpc.ServiceRegistrar) {
	for _, sd := range p.cfg.Catalog.Services {
		desc := grpc.ServiceDesc{
			ServiceName: string(sd.FullName()),
			HandlerType: (*any)(nil),
			Metadata:    sd.ParentFile().Path(),
		}
		for i := range sd.Methods().Len() {
			md := sd.Methods().Get(i)
			m, _ := p.cfg.Catalog.Method("/" + string(sd.FullName()) + "/" + string(md.Name()))
			// Every RPC is registered as a bidirectional stream, also the
			// unary ones: grpc-go skips the stream interceptors (which
			// authenticate and authorize) for a stream that is neither.
			desc.Streams = append(desc.Streams, grpc.StreamDesc{
				StreamName: string(md.Name()), Handler: p.handler(m), ServerStreams: true, ClientStreams: true,
			})
		}
		r.RegisterService(&desc, struct{}{})
	}
}

func (p *Proxy) handler(m catalog.Method) grpc.StreamHandler {
	return func(_ any, ss grpc.ServerStream) error {
		if m.Unary() {
			return p.forwardUnary(ss, m)
		}
		return p.forwardStream(ss, m)
	}
}

func (p *Proxy) forwardUnary(ss grpc.ServerStream, m catalog.Method) error {
	var req Frame
	if err := ss.RecvMsg(&req); err != nil {
		return err
	}
	ctx := ss.Context()
	// A caller's earlier deadline already bounds the call (and travels
	// on); only a later one or none needs a timer of its own.
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > p.cfg.Timeout {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.cfg.Timeout)
		defer cancel()
	}
	resp, err := p.unary(ctx, Call{Method: m, Request: req.Payload})
	if err != nil {
		return err
	}
	return ss.SendMsg(&Frame{Payload: resp})
}

// invoke forwards a unary call; the incoming deadline travels with ctx, and
// the backend's response headers and trailers go back to the caller.
func (p *Proxy) invoke(ctx context.Context, c Call) ([]byte, error) {
	out, err := p.outgoing(ctx, c.Method)
	if err != nil {
		return nil, err
	}
	var header, trailer metadata.MD
	var resp Frame
	err = p.backends[c.Method.Package].conn.Invoke(out, c.Method.FullName, &Frame{Payload: c.Request}, &resp,
		grpc.Header(&header), grpc.Trailer(&trailer))
	if len(header) > 0 {
		_ = grpc.SetHeader(ctx, header)
	}
	if len(trailer) > 0 {
		_ = grpc.SetTrailer(ctx, trailer)
	}
	if err != nil {
		return nil, p.backendError(c.Method, err)
	}
	return resp.Payload, nil
}

func (p *Proxy) forwardStream(ss grpc.ServerStream, m catalog.Method) error {
	ctx, cancel := context.WithCancel(ss.Context())
	defer cancel()
	out, err := p.outgoing(ctx, m)
	if err != nil {
		return err
	}
	cs, err := p.backends[m.Package].conn.NewStream(out, &grpc.StreamDesc{ServerStreams: m.ServerStreams, ClientStreams: m.ClientStreams}, m.FullName)
	if err != nil {
		return p.backendError(m, err)
	}
	// Caller to backend. A caller that goes away cancels ctx and so the
	// backend call; a backend that ends the call reports its status below.
	go func() {
		for {
			var f Frame
			if err := ss.RecvMsg(&f); err != nil {
				if errors.Is(err, io.EOF) {
					_ = cs.CloseSend()
				}
				return
			}
			if err := cs.SendMsg(&f); err != nil {
				return
			}
		}
	}()
	// Backend to caller.
	header, err := cs.Header()
	if err != nil {
		return p.backendError(m, err)
	}
	if err := ss.SendHeader(header); err != nil {
		return err
	}
	for {
		var f Frame
		if err := cs.RecvMsg(&f); err != nil {
			ss.SetTrailer(cs.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			return p.backendError(m, err)
		}
		if err := ss.SendMsg(&f); err != nil {
			return err
		}
	}
}

// outgoing builds the backend call's context: the caller's metadata minus
// the transport's own, as Outgoing rewrites it.
func (p *Proxy) outgoing(ctx context.Context, m catalog.Method) (context.Context, error) {
	in, _ := metadata.FromIncomingContext(ctx)
	forward := metadata.MD{}
	for k, v := range in {
		if strings.HasPrefix(k, ":") || strings.HasPrefix(k, "grpc-") || hopByHop[k] {
			continue
		}
		forward[k] = v
	}
	md, err := p.cfg.Outgoing(ctx, m, forward)
	if err != nil {
		return nil, err
	}
	return metadata.NewOutgoingContext(ctx, md), nil
}

var hopByHop = map[string]bool{"content-type": true, "user-agent": true, "te": true, "connection": true}

// backendError passes a backend's status through, except UNAVAILABLE, whose
// message may name internal addresses: it is logged and replaced.
func (p *Proxy) backendError(m catalog.Method, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	if st.Code() == codes.Unavailable {
		p.cfg.Logger.Warn("backend unavailable", "package", m.Package, "method", m.FullName, "error", st.Message())
		return &apierr.Error{Kind: apierr.KindUnavailable, RetryAfter: time.Second,
			Message: fmt.Sprintf("the %s service is unavailable; retry later", m.Package)}
	}
	return st.Err()
}
