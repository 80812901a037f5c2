package proxy

import (
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
)

// Frame is one message as it travels on the wire, never decoded: the
// gateway forwards bytes, so a field added to a backend's message passes
// through without the gateway knowing it.
type Frame struct {
	Payload []byte
}

// frameCodec hands *Frame through untouched and every other message to the
// standard proto codec.
type frameCodec struct {
	standard encoding.CodecV2
}

// The gateway's gRPC server has no codec option of its own, so the process
// replaces the proto codec with one that also understands *Frame. Every
// other message (health, reflection) still goes to the standard codec.
func init() {
	encoding.RegisterCodecV2(frameCodec{standard: encoding.GetCodecV2(proto.Name)})
}

func (c frameCodec) Name() string { return proto.Name }

func (c frameCodec) Marshal(v any) (mem.BufferSlice, error) {
	if f, ok := v.(*Frame); ok {
		return mem.BufferSlice{mem.SliceBuffer(f.Payload)}, nil
	}
	return c.standard.Marshal(v)
}

func (c frameCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if f, ok := v.(*Frame); ok {
		f.Payload = data.Materialize()
		return nil
	}
	return c.standard.Unmarshal(data, v)
}
