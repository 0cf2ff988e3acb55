package deploy

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"gocloud.dev/blob"

	"github.com/relia-dev/relia/internal/deploy/mototest"
)

func startMoto(t *testing.T) string { return mototest.Start(t, "site") }

func s3Target(endpoint string) string { return mototest.URL(endpoint, "site") }

func TestDeployS3(t *testing.T) {
	exercise(t, s3Target(startMoto(t)))
}

// TestDeployS3FailureMidway: the store goes away after two uploads; the
// objects of the previous deploy are all still there, none deleted, and
// the home page is still the old one.
func TestDeployS3FailureMidway(t *testing.T) {
	moto := startMoto(t)
	ctx := context.Background()
	dir := t.TempDir()
	writeSite(t, dir, site1)
	if _, err := Run(ctx, Options{Site: dir, Target: s3Target(moto)}); err != nil {
		t.Fatal(err)
	}

	// A proxy that stops answering after two uploads, as a store that goes down.
	mu, _ := url.Parse(moto)
	var puts atomic.Int32
	rp := httputil.NewSingleHostReverseProxy(mu)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && puts.Add(1) > 2 {
			hj, _ := w.(http.Hijacker)
			c, _, _ := hj.Hijack()
			c.Close()
			return
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })

	os.RemoveAll(dir)
	writeSite(t, dir, map[string]string{
		"index.html": "<h1>new home</h1>", "assets/relia.css": "body{color:red}", "assets/relia.js": "2",
		"slos/web/availability/index.html": "<p>new</p>", "api/v1/slos.json": `{"new":1}`,
	})
	_, err = Run(ctx, Options{Site: dir, Target: s3Target("http://" + l.Addr().String())})
	if err == nil || !strings.Contains(err.Error(), "nothing was deleted") {
		t.Fatalf("deploy through a failing store: %v", err)
	}
	b, err := blob.OpenBucket(ctx, s3Target(moto))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for key, want := range map[string]string{"index.html": "<h1>home</h1>", "retros/old/index.html": "<p>old</p>", "slos/web/availability/index.html": "<p>slo</p>"} {
		got, err := b.ReadAll(ctx, key)
		if err != nil || string(got) != want {
			t.Errorf("%s after the failed deploy: %q, %v; want the old %q", key, got, err, want)
		}
	}
}
