// Package httpapi is the gateway's HTTP port: Server-Sent Events at
// /v1/events and JSON/HTTP for every public RPC at
// POST /<package>.<Service>/<Method> (grpc-gateway, protojson field names),
// described by the OpenAPI document at /openapi.json.
// Both are clients of the gateway's own gRPC endpoint, so authentication,
// scopes, rate limits, idempotency keys and the audit apply to them exactly
// as to a gRPC caller.
package httpapi

import (
	"context"
	"errors"
	"google.golang.org/grpc/metadata"
	"log/slog"
	"net/http"
	"net/textproto"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protojson"

	gatewayv1 "github.com/integrationsplan/integrationsplan/proto/integration/gateway/v1"
	educationgw "github.com/integrationsplan/integrationsplan/services/gateway/gen/integration/education/v1"
	gatewaygw "github.com/integrationsplan/integrationsplan/services/gateway/gen/integration/gateway/v1"
	labourgw "github.com/integrationsplan/integrationsplan/services/gateway/gen/integration/labour/v1"
	measuresgw "github.com/integrationsplan/integrationsplan/services/gateway/gen/integration/measures/v1"
	"github.com/integrationsplan/integrationsplan/services/gateway/gen/openapi"
)

// Config configures the HTTP side.
type Config struct {
	// Conn is a client connection to the gateway's own gRPC endpoint.
	Conn *grpc.ClientConn
	// Packages are the proto packages the gateway serves; each gets its
	// JSON routes.
	Packages []string
	// Heartbeat is the interval of the SSE comments sent while no event
	// arrives.
	Heartbeat time.Duration
	Logger    *slog.Logger
	// Pages, if set, adds the dashboard's routes to the mux; they are
	// more specific than the JSON routes under "/".
	Pages func(*http.ServeMux)
	// Credential, if set, gives /v1/events the metadata (authorization
	// and the like) of a request that sends no Authorization header: a
	// browser's EventSource cannot send one, so the dashboard's session
	// cookie stands for the key.
	Credential func(*http.Request) (metadata.MD, bool)
	// SlowClientTimeout drops an SSE subscriber that takes no data for
	// this long; 0 is 30 s.
	SlowClientTimeout time.Duration
}

// registrations add the JSON routes of a package's services; a new backend
// adds its generated package here.
var registrations = map[string]func(context.Context, *runtime.ServeMux, *grpc.ClientConn) error{
	"integration.measures.v1":  measuresgw.RegisterMeasureServiceHandler,
	"integration.education.v1": educationgw.RegisterEducationServiceHandler,
	"integration.gateway.v1":   registerGateway,
	"integration.labour.v1":    labourgw.RegisterLabourServiceHandler,
}

// registerGateway adds the routes of the gateway's own services.
func registerGateway(ctx context.Context, mux *runtime.ServeMux, conn *grpc.ClientConn) error {
	return errors.Join(gatewaygw.RegisterEventServiceHandler(ctx, mux, conn), gatewaygw.RegisterAuditServiceHandler(ctx, mux, conn))
}

// forwardedHeaders are the HTTP request headers passed on as gRPC metadata
// (Authorization always is). Nothing else a client sends reaches the
// gateway's gRPC side, e.g. no made-up principal.
var forwardedHeaders = map[string]string{
	"Idempotency-Key": "idempotency-key",
	"X-Purpose":       "x-purpose",
	"X-Request-Id":    "x-request-id",
}

// returnedHeaders are the gRPC response headers returned as HTTP headers.
var returnedHeaders = map[string]string{
	"idempotent-replayed": "Idempotent-Replayed",
	"x-request-id":        "X-Request-Id",
}

// New returns the HTTP handler.
func New(ctx context.Context, cfg Config) (http.Handler, error) {
	gw := runtime.NewServeMux(
		runtime.WithIncomingHeaderMatcher(func(key string) (string, bool) {
			k, ok := forwardedHeaders[textproto.CanonicalMIMEHeaderKey(key)]
			return k, ok
		}),
		runtime.WithOutgoingHeaderMatcher(func(key string) (string, bool) {
			k, ok := returnedHeaders[key]
			return k, ok
		}),
		runtime.WithOutgoingTrailerMatcher(func(string) (string, bool) { return "", false }),
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions: protojson.MarshalOptions{},
			// An unknown field is refused, not silently dropped.
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}),
	)
	for _, pkg := range append([]string{"integration.gateway.v1"}, cfg.Packages...) {
		if register, ok := registrations[pkg]; ok {
			if err := register(ctx, gw, cfg.Conn); err != nil {
				return nil, err
			}
		} else {
			cfg.Logger.Warn("no JSON routes for this package: its generated gateway code is not linked in", "package", pkg)
		}
	}
	mux := http.NewServeMux()
	if cfg.SlowClientTimeout == 0 {
		cfg.SlowClientTimeout = 30 * time.Second
	}
	mux.Handle("GET /v1/events", &sse{client: gatewayv1.NewEventServiceClient(cfg.Conn), heartbeat: cfg.Heartbeat, log: cfg.Logger,
		credential: cfg.Credential, slowClient: cfg.SlowClientTimeout})
	mux.HandleFunc("GET /openapi.json", serveOpenAPI)
	mux.Handle("/", gw)
	if cfg.Pages != nil {
		cfg.Pages(mux)
	}
	return mux, nil
}

// serveOpenAPI serves the OpenAPI document generated from the same protos
// as the JSON routes. It describes the API, not a partner's rights, so it
// needs no key.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapi.Document)
}
