// The reference: grpc-gateway v2 (default ServeMux options except UnescapingModeAllExceptSlash, the
// %2F choice nebula-gateway made deliberately) in front of the same gRPC server.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	// Registers google.rpc.BadRequest & co., so error details (Any) can be marshaled; without it
	// grpc-gateway answers 500 "failed to marshal error message" for every error with details.
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	nebulav1 "github.com/nebula-orchestrator/nebula/gen/go/nebula/v1"
)

func main() {
	upstream := flag.String("upstream", "127.0.0.1:50051", "gRPC server")
	listen := flag.String("listen", "127.0.0.1:8081", "HTTP listen address")
	flag.Parse()
	ctx := context.Background()
	mux := runtime.NewServeMux(runtime.WithUnescapingMode(runtime.UnescapingModeAllExceptSlash))
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	for _, register := range []func(context.Context, *runtime.ServeMux, string, []grpc.DialOption) error{
		nebulav1.RegisterApiManagerHandlerFromEndpoint,
		nebulav1.RegisterIdentityHandlerFromEndpoint,
		nebulav1.RegisterWorkerAgentHandlerFromEndpoint,
	} {
		if err := register(ctx, mux, *upstream, opts); err != nil {
			log.Fatal(err)
		}
	}
	log.Printf("grpc-gateway listening on %s, forwarding to %s", *listen, *upstream)
	log.Fatal(http.ListenAndServe(*listen, mux))
}
