package deploy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gocloud.dev/blob"
)

// startMoto runs moto_server (an S3 API) on a free loopback port with an
// empty bucket "site". Without moto_server the test skips, unless
// RELIA_INTEGRATION=1.
func startMoto(t *testing.T) string {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		msg := "moto_server not found in PATH (Python package moto[server])"
		if os.Getenv("RELIA_INTEGRATION") == "1" {
			t.Fatal(msg + "; RELIA_INTEGRATION=1 requires it")
		}
		t.Skip(msg + "; skipping (set RELIA_INTEGRATION=1 to require it)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for i := 0; ; i++ {
		req, _ := http.NewRequest(http.MethodPut, base+"/site", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 300 {
			t.Fatalf("moto_server not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	return base
}

func s3Target(endpoint string) string {
	return "s3://site?region=us-east-1&use_path_style=true&endpoint=" + url.QueryEscape(endpoint)
}

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
