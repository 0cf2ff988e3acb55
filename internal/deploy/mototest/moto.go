// Package mototest runs moto_server, a real S3 API, on 127.0.0.1 for the
// tests of relia deploy and of the history archive. Only tests use it.
package mototest

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Start runs moto_server on a free loopback port with the empty buckets
// named, sets the AWS credentials the SDK reads from the environment (moto
// takes any), and returns the endpoint. Without moto_server the test
// skips, unless RELIA_INTEGRATION=1.
func Start(t testing.TB, buckets ...string) string {
	t.Helper()
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
	for _, bucket := range buckets {
		for i := 0; ; i++ {
			req, _ := http.NewRequest(http.MethodPut, base+"/"+bucket, nil)
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
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	return base
}

// URL is the gocloud.dev/blob URL of a bucket (and path) at endpoint.
func URL(endpoint, bucketPath string) string {
	return "s3://" + bucketPath + "?region=us-east-1&use_path_style=true&endpoint=" + url.QueryEscape(endpoint)
}
