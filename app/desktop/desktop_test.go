package desktop

import (
	"testing"
	"time"
)

func TestEventDoneOnce(t *testing.T) {
	n := 0
	e := NewEvent(Sleeping, func() { n++ })
	e.Done()
	e.Done()
	if n != 1 {
		t.Fatalf("done ran %d times, want 1", n)
	}
	NewEvent(ScreenLocked, nil).Done() // harmless
	Event{}.Done()
}

func TestFakeAndNone(t *testing.T) {
	f := NewFake()
	go f.Send(NewEvent(ScreenLocked, nil))
	select {
	case e := <-f.Events():
		if e.Kind != ScreenLocked {
			t.Fatalf("got %v", e.Kind)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the fake did not deliver")
	}
	f.Close()
	f.Close()
	if _, ok := <-f.Events(); ok {
		t.Fatal("events not closed by Close")
	}
	n := None()
	select {
	case e, ok := <-n.Events():
		t.Fatalf("None reported %v, %v", e, ok)
	default:
	}
	n.Close()
}
