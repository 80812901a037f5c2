// Package grpcclient is what every service-to-service gRPC client needs
// besides its address: the trace continues into the called service
// (otelgrpc), and calls are counted and timed per method and code on the
// caller's admin port (grpc_client_* metrics).
package grpcclient

import (
	"errors"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
)

// Instrumentation returns the dial options that trace and measure a
// client's calls, registering the metrics on reg once per registry: several
// clients of one process share them (the grpc_service label tells them
// apart).
func Instrumentation(reg prometheus.Registerer) ([]grpc.DialOption, error) {
	metrics := grpcprom.NewClientMetrics(grpcprom.WithClientHandlingTimeHistogram())
	if err := reg.Register(metrics); err != nil {
		var already prometheus.AlreadyRegisteredError
		if !errors.As(err, &already) {
			return nil, err
		}
		metrics = already.ExistingCollector.(*grpcprom.ClientMetrics)
	}
	return []grpc.DialOption{
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithChainUnaryInterceptor(metrics.UnaryClientInterceptor()),
		grpc.WithChainStreamInterceptor(metrics.StreamClientInterceptor()),
	}, nil
}
