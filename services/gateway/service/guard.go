package service

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	rpccode "google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
	"github.com/integrationsplan/integrationsplan/platform/grpcserver"
	"github.com/integrationsplan/integrationsplan/platform/principal"
	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/audit"
	"github.com/integrationsplan/integrationsplan/services/gateway/auth"
	"github.com/integrationsplan/integrationsplan/services/gateway/catalog"
	"github.com/integrationsplan/integrationsplan/services/gateway/dashboard"
	"github.com/integrationsplan/integrationsplan/services/gateway/idempotency"
	"github.com/integrationsplan/integrationsplan/services/gateway/proxy"
	"github.com/integrationsplan/integrationsplan/services/gateway/ratelimit"
)

// Metadata the gateway reads from callers or sets for them.
const (
	// IdempotencyKeyHeader makes a mutation retry-safe.
	IdempotencyKeyHeader = "idempotency-key"
	// ReplayedHeader marks a response replayed for an idempotency key.
	ReplayedHeader = "idempotent-replayed"
	// maxIdempotencyKey bounds the key's length.
	maxIdempotencyKey = 255
	// requestIDHeader is the caller's request ID, kept in audit records.
	requestIDHeader = "x-request-id"
)

const (
	healthPrefix     = "/grpc.health.v1.Health/"
	reflectionPrefix = "/grpc.reflection."
)

// guard authenticates partners, checks scopes and rate limits, and signs
// the principal forwarded to the backends.
type guard struct {
	catalog *catalog.Catalog
	// own lists the RPCs the gateway serves itself (events, audit).
	own      *catalog.Catalog
	audit    *audit.Recorder
	partners *auth.Keyring
	limiter  *ratelimit.Limiter
	tokens   *tokens
	idem     *idempotency.Guard
	log      *slog.Logger
	// dashboardMark is this process's secret that the dashboard's own
	// calls carry (dashboard.CallMarkHeader): their reads count in
	// catalog.ClassDashboard. A partner cannot forge it.
	dashboardMark string
}

// unary guards the gateway's own unary RPCs: health is open to probes,
// the gateway's own (the audit) need a partner with their scope.
func (g *guard) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if strings.HasPrefix(info.FullMethod, healthPrefix) {
		return handler(ctx, req)
	}
	if _, ok := g.own.Method(info.FullMethod); !ok {
		return nil, apierr.PermissionDenied("%s is not a public RPC", info.FullMethod)
	}
	p, err := g.authenticate(ctx)
	if err != nil {
		return nil, err
	}
	if err := g.authorize(ctx, p, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(auth.NewContext(ctx, p), req)
}

// stream guards the forwarded RPCs (all served as streams), health's Watch
// (open) and reflection (any partner with a valid key).
func (g *guard) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if strings.HasPrefix(info.FullMethod, healthPrefix) {
		return handler(srv, ss)
	}
	p, err := g.authenticate(ss.Context())
	if err != nil {
		return err
	}
	if !strings.HasPrefix(info.FullMethod, reflectionPrefix) {
		m, _ := g.method(info.FullMethod)
		if err := g.authorize(ss.Context(), p, info.FullMethod); err != nil {
			if m.PersonalData {
				g.recordRefusal(ss.Context(), p, m, err)
			}
			return err
		}
		if m.PersonalData {
			purpose, err := audit.Purpose(metadata.ValueFromIncomingContext(ss.Context(), audit.PurposeHeader))
			if err != nil {
				g.recordRefusal(ss.Context(), p, m, err)
				return err
			}
			// A unary call is recorded with the resources of its request
			// and its outcome once it returns (audited); a stream here,
			// when it starts, without either.
			if !m.Unary() {
				if err := g.record(ss.Context(), p, m, purpose, nil, time.Now(), ""); err != nil {
					return err
				}
			}
		}
	}
	return handler(srv, &partnerStream{ServerStream: ss, ctx: auth.NewContext(ss.Context(), p)})
}

// method looks an RPC up among the forwarded ones and the gateway's own.
func (g *guard) method(fullName string) (catalog.Method, bool) {
	if m, ok := g.catalog.Method(fullName); ok {
		return m, true
	}
	return g.own.Method(fullName)
}

// audited records a unary call on personal data with the resources its
// request names and its outcome once the service has answered, and only
// then passes the answer on: no personal data reaches a caller without its
// record. If the record cannot be stored, the caller gets UNAVAILABLE
// instead of the answer.
func (g *guard) audited(next proxy.Invoke) proxy.Invoke {
	return func(ctx context.Context, c proxy.Call) ([]byte, error) {
		if !c.Method.PersonalData {
			return next(ctx, c)
		}
		p, ok := auth.FromContext(ctx)
		if !ok {
			return nil, errors.New("gateway: audit without a partner")
		}
		// The guard checked the purpose already.
		purpose, err := audit.Purpose(metadata.ValueFromIncomingContext(ctx, audit.PurposeHeader))
		if err != nil {
			return nil, err
		}
		start := time.Now()
		resp, callErr := next(ctx, c)
		// A call the caller gave up on is recorded all the same.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		defer cancel()
		if err := g.record(rctx, p, c.Method, purpose, audit.Resources(c.Method.Input, c.Request), start, outcome(callErr)); err != nil {
			return nil, err
		}
		return resp, callErr
	}
}

// recordTimeout bounds the storing of a record after its call.
const recordTimeout = 5 * time.Second

// outcome is the audit record's name of a call's result, e.g. "OK".
func outcome(err error) string {
	return rpccode.Code(grpcserver.Code(err)).String()
}

// recordRefusal records a call on personal data the gateway refused before
// forwarding it (missing scope, no valid purpose): an attempt on personal
// data is the auditor's business too. A refusal that cannot be recorded
// is still refused. Refusals beyond the partner's rate limit are not
// recorded, so they cannot flood the audit stream.
func (g *guard) recordRefusal(ctx context.Context, p *auth.Partner, m catalog.Method, refusal error) {
	code := grpcserver.Code(refusal)
	switch code {
	case codes.ResourceExhausted, codes.Unavailable:
		return
	case codes.PermissionDenied:
		// authorize refused before it counted the call.
		if d, err := g.limiter.Allow(ctx, p.ID, g.class(ctx, m)); err != nil || !d.Allowed {
			return
		}
	}
	_ = g.record(ctx, p, m, "", nil, time.Now(), outcome(refusal))
}

func (g *guard) record(ctx context.Context, p *auth.Partner, m catalog.Method, purpose string, resources []string, at time.Time, outcome string) error {
	rec := &gatewayv1.AccessRecorded{
		Partner: p.ID, Method: m.FullName, Resources: resources, Purpose: purpose, Scope: m.Scope,
		Time: timestamppb.New(at), Outcome: outcome,
	}
	if ids := metadata.ValueFromIncomingContext(ctx, requestIDHeader); len(ids) == 1 && len(ids[0]) <= 128 {
		rec.RequestId = ids[0]
	}
	if _, err := g.audit.Record(ctx, rec); err != nil {
		// Resources are pseudonymous names: the log may hold them, so the
		// unrecorded access can be traced.
		g.log.Error("audit record not stored; the caller gets no answer", "partner", p.ID, "method", m.FullName,
			"resources", resources, "outcome", outcome, "error", err)
		msg := "the access to personal data cannot be recorded right now, so the call gets no answer; retry later"
		if m.Mutation() && outcome == rpccode.Code_OK.String() {
			msg = "the change was made but cannot be recorded right now, so the call gets no answer; retry later with the same idempotency-key"
		}
		return &apierr.Error{Kind: apierr.KindUnavailable, RetryAfter: time.Second, Message: msg}
	}
	return nil
}

// authenticate finds the caller's partner by its API key or, without one,
// by the client certificate it presented (mutual TLS).
func (g *guard) authenticate(ctx context.Context) (*auth.Partner, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if len(md.Get("authorization")) == 0 {
		if der, ok := clientCertificate(ctx); ok {
			p, err := g.partners.Directory().AuthenticateCertificate(der)
			if err != nil {
				return nil, &apierr.Error{Kind: apierr.KindUnauthenticated, Message: err.Error()}
			}
			return p, nil
		}
	}
	p, err := g.partners.Authenticate(md)
	if err != nil {
		return nil, &apierr.Error{Kind: apierr.KindUnauthenticated, Message: err.Error()}
	}
	return p, nil
}

// authorize checks the RPC's scope (default deny: an RPC without one is
// refused) and the partner's rate limit for the scope's class.
func (g *guard) authorize(ctx context.Context, p *auth.Partner, method string) error {
	m, ok := g.method(method)
	if !ok {
		return apierr.PermissionDenied("%s is not a public RPC", method)
	}
	if m.Scope == "" {
		return apierr.PermissionDenied("%s declares no required scope, so nobody may call it", method)
	}
	if !p.HasScope(m.Scope) {
		return &apierr.Error{Kind: apierr.KindPermissionDenied, Reason: "MISSING_SCOPE", Metadata: map[string]string{"scope": m.Scope},
			Message: fmt.Sprintf("partner %s lacks the scope %s that %s requires", p.ID, m.Scope, method)}
	}
	class := g.class(ctx, m)
	d, err := g.limiter.Allow(ctx, p.ID, class)
	if err != nil {
		return &apierr.Error{Kind: apierr.KindUnavailable, Message: "rate limits cannot be checked right now; retry later"}
	}
	if !d.Allowed {
		return &apierr.Error{Kind: apierr.KindResourceExhausted, Reason: "RATE_LIMITED", Metadata: map[string]string{"class": class},
			RetryAfter: d.RetryAfter, Message: fmt.Sprintf("partner %s exceeded its %s rate limit; retry after %s", p.ID, class, d.RetryAfter.Round(1e6))}
	}
	return nil
}

// class is the rate-limit class a call of m counts in: its scope's, with
// the dashboard's reads apart.
func (g *guard) class(ctx context.Context, m catalog.Method) string {
	if class := m.Class(); class != catalog.ClassRead || !g.fromDashboard(ctx) {
		return class
	}
	return catalog.ClassDashboard
}

// fromDashboard reports whether the call carries this process's dashboard
// mark.
func (g *guard) fromDashboard(ctx context.Context) bool {
	marks := metadata.ValueFromIncomingContext(ctx, dashboard.CallMarkHeader)
	return g.dashboardMark != "" && len(marks) == 1 && subtle.ConstantTimeCompare([]byte(marks[0]), []byte(g.dashboardMark)) == 1
}

// outgoing is the metadata sent to a backend: the caller's own, without
// its key, any principal it made up, the idempotency key and the
// dashboard's mark, plus the principal signed for this call.
func (g *guard) outgoing(ctx context.Context, m catalog.Method, in metadata.MD) (metadata.MD, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil, errors.New("gateway: forwarding a call without a partner")
	}
	delete(in, "authorization")
	delete(in, principal.MetadataKey)
	delete(in, IdempotencyKeyHeader)
	delete(in, dashboard.CallMarkHeader)
	// The JSON/HTTP side adds the client's address; the services need
	// neither it nor its trail.
	delete(in, "x-forwarded-for")
	delete(in, "x-forwarded-host")
	token, err := g.tokens.sign(p, m.FullName)
	if err != nil {
		return nil, err
	}
	in.Set(principal.MetadataKey, token)
	return in, nil
}

// idempotent runs a mutation that carries an idempotency-key at most once
// per partner and key.
func (g *guard) idempotent(next proxy.Invoke) proxy.Invoke {
	return func(ctx context.Context, c proxy.Call) ([]byte, error) {
		keys := metadata.ValueFromIncomingContext(ctx, IdempotencyKeyHeader)
		if len(keys) == 0 || !c.Method.Mutation() {
			return next(ctx, c)
		}
		if len(keys) > 1 || keys[0] == "" || len(keys[0]) > maxIdempotencyKey {
			return nil, apierr.Invalid(IdempotencyKeyHeader, "send one key of 1 to %d characters", maxIdempotencyKey)
		}
		p, ok := auth.FromContext(ctx)
		if !ok {
			return nil, errors.New("gateway: idempotency without a partner")
		}
		resp, replayed, err := g.idem.Do(ctx, p.ID+":"+keys[0], idempotency.FingerprintOf(c.Method.FullName, c.Request),
			func(ctx context.Context) ([]byte, error) { return next(ctx, c) })
		if replayed {
			_ = grpc.SetHeader(ctx, metadata.Pairs(ReplayedHeader, "true"))
		}
		return resp, err
	}
}

type partnerStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *partnerStream) Context() context.Context { return s.ctx }
