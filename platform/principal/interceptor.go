package principal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/integrationsplan/integrationsplan/platform/apierr"
)

// healthPrefix names the health service's methods: probes and load
// balancers call them without a principal.
const healthPrefix = "/grpc.health.v1.Health/"

// Config configures the service side.
type Config struct {
	// Verifier checks tokens; nil turns principals off (local development
	// without a gateway): calls pass without one.
	Verifier *Verifier
	// Required refuses calls without a valid principal (production).
	Required bool
}

// UnaryServerInterceptor verifies the call's principal and puts it in the
// context.
func UnaryServerInterceptor(cfg Config) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := cfg.authenticate(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor verifies the stream's principal and puts it in
// the stream's context.
func StreamServerInterceptor(cfg Config) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := cfg.authenticate(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &stream{ServerStream: ss, ctx: ctx})
	}
}

func (cfg Config) authenticate(ctx context.Context, method string) (context.Context, error) {
	if strings.HasPrefix(method, healthPrefix) {
		return ctx, nil
	}
	tokens := metadata.ValueFromIncomingContext(ctx, MetadataKey)
	if cfg.Verifier == nil {
		if cfg.Required {
			return nil, unauthenticated("this service cannot verify principals")
		}
		return ctx, nil
	}
	if len(tokens) == 0 {
		if cfg.Required {
			return nil, unauthenticated("the call carries no principal; call through the gateway")
		}
		return ctx, nil
	}
	if len(tokens) > 1 {
		return nil, unauthenticated("the call carries more than one principal")
	}
	p, err := cfg.Verifier.Verify(tokens[0], method)
	if err != nil {
		return nil, unauthenticated("the call's principal is not valid: " + err.Error())
	}
	return NewContext(ctx, p), nil
}

func unauthenticated(msg string) error {
	return &apierr.Error{Kind: apierr.KindUnauthenticated, Message: msg}
}

type stream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *stream) Context() context.Context { return s.ctx }

// Settings is what every service's configuration embeds to verify the
// gateway's principals and those other services sign in their own name.
type Settings struct {
	// PrincipalKeys verify the principal the gateway signs; without them
	// (local development) calls need none and object-level rights are off.
	PrincipalKeys string `conf:"env:PRINCIPAL_KEYS,mask,help:base64 keys separated by commas that verify the gateway's principals"`
	// ServiceKeys verify the principals of services calling this one in
	// their own name, each only within its limits (ServiceKey).
	ServiceKeys      string `conf:"env:SERVICE_KEYS,mask,help:keys of services calling in their own name separated by commas; each partner[scope ...]=base64 key verifies only principals of that partner with those scopes acting for no actor or provider on RPCs whose declared scope they hold"`
	RequirePrincipal bool   `conf:"default:false,env:REQUIRE_PRINCIPAL,help:refuse calls without a valid principal from the gateway (production)"`
}

// Config turns the settings into the interceptors' configuration.
func (s Settings) Config() (Config, error) {
	keys, err := ParseKeys(s.PrincipalKeys)
	if err != nil {
		return Config{}, fmt.Errorf("PRINCIPAL_KEYS: %w", err)
	}
	services, err := ParseServiceKeys(s.ServiceKeys)
	if err != nil {
		return Config{}, fmt.Errorf("SERVICE_KEYS: %w", err)
	}
	if len(keys) == 0 && len(services) == 0 {
		if s.RequirePrincipal {
			return Config{}, errors.New("REQUIRE_PRINCIPAL needs PRINCIPAL_KEYS or SERVICE_KEYS")
		}
		return Config{}, nil
	}
	v, err := NewVerifier(keys, services...)
	if err != nil {
		return Config{}, fmt.Errorf("PRINCIPAL_KEYS, SERVICE_KEYS: %w", err)
	}
	return Config{Verifier: v, Required: s.RequirePrincipal}, nil
}

// Interceptors are the interceptors for a service's grpcserver.Config.
func (s Settings) Interceptors(log *slog.Logger) ([]grpc.UnaryServerInterceptor, []grpc.StreamServerInterceptor, error) {
	cfg, err := s.Config()
	if err != nil {
		return nil, nil, err
	}
	if cfg.Verifier == nil {
		log.Warn("no PRINCIPAL_KEYS or SERVICE_KEYS: calls are not checked for a principal and object-level rights are off")
	}
	return []grpc.UnaryServerInterceptor{UnaryServerInterceptor(cfg)}, []grpc.StreamServerInterceptor{StreamServerInterceptor(cfg)}, nil
}
