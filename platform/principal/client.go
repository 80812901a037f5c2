package principal

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// UnaryClientInterceptor signs a fresh principal for every call a service
// makes in its own name and sends it under MetadataKey, as the gateway
// does. of says, from the call's context, who calls (partner, scopes, whom
// it acts for); the token is issued for the called method only. A principal
// already in the outgoing metadata is replaced: a service never passes on
// one it did not sign for this call.
func UnaryClientInterceptor(s *Signer, of func(context.Context) Principal) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		token, err := s.Sign(of(ctx), method)
		if err != nil {
			return err
		}
		md, _ := metadata.FromOutgoingContext(ctx)
		md = md.Copy()
		md.Set(MetadataKey, token)
		return invoker(metadata.NewOutgoingContext(ctx, md), method, req, reply, cc, opts...)
	}
}
