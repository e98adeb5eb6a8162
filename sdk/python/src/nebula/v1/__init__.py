"""Generated protobuf and gRPC modules of proto/nebula/v1 (tools/generate_stubs.py). Do not edit."""
