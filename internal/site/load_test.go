package site

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestLoadAsideReturnsOnCancel: a build cancelled (SIGTERM) while its
// inputs are still being read returns the cancel's cause at once instead
// of waiting for the read, and closes what the read opens once it ends.
func TestLoadAsideReturnsOnCancel(t *testing.T) {
	release := make(chan struct{})
	closed := make(chan struct{})
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("interrupted by terminated")
	returned := make(chan error, 1)
	go func() {
		_, err := loadAside(ctx, func() (*build, error) {
			<-release // a snapshot that takes long to decode
			return &build{closeCache: func() error { close(closed); return nil }}, nil
		})
		returned <- err
	}()
	cancel(stop)
	select {
	case err := <-returned:
		if !errors.Is(err, stop) {
			t.Errorf("load returned %v, want the cancel's cause %v", err, stop)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("load did not return after its context was cancelled")
	}
	close(release)
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the abandoned load's inputs were never closed")
	}
}

// TestLoadAsideResult: without a cancel, load returns what the read gives.
func TestLoadAsideResult(t *testing.T) {
	want := errors.New("relia.toml:3: objective: out of range")
	if _, err := loadAside(context.Background(), func() (*build, error) { return nil, want }); err != want {
		t.Errorf("got %v, want %v", err, want)
	}
	b := &build{}
	if got, err := loadAside(context.Background(), func() (*build, error) { return b, nil }); got != b || err != nil {
		t.Errorf("got %p, %v; want %p, nil", got, err, b)
	}
}
