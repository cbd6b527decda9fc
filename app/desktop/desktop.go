// Package desktop tells the window when the desktop session is locked or
// the computer is about to sleep, so that it can lock the vault first: a
// laptop left locked, or closed, must not keep the vault open.
//
// On Linux it listens to systemd-logind on the system D-Bus (the session's
// Lock signal and the manager's PrepareForSleep) and to the screen saver
// on the session D-Bus (org.freedesktop.ScreenSaver and
// org.gnome.ScreenSaver ActiveChanged). Before sleep it holds a logind
// "delay" inhibitor, so the computer waits (up to logind's
// InhibitDelayMaxSec, 5 seconds by default, and at most MaxSleepDelay)
// until the vault is locked and its keys wiped. Elsewhere (macOS, Windows)
// and where there is no D-Bus (a server, CI), Watch returns a watcher that
// never reports: the vault then locks only by the idle timer and by hand.
package desktop

import (
	"sync"
	"time"
)

// Kind is what happened on the desktop.
type Kind int

const (
	// ScreenLocked: the desktop session was locked, or the screen saver started.
	ScreenLocked Kind = iota + 1
	// Sleeping: the computer is about to suspend or hibernate.
	Sleeping
)

func (k Kind) String() string {
	switch k {
	case ScreenLocked:
		return "screen locked"
	case Sleeping:
		return "going to sleep"
	}
	return "unknown"
}

// MaxSleepDelay is the longest a watcher holds the computer back from
// sleeping while the vault locks.
const MaxSleepDelay = 4 * time.Second

// Event is one thing that happened.
type Event struct {
	Kind Kind
	done func()
}

// Done tells the watcher that the vault is locked: before sleep, the
// computer may now go on. Call it once the keys are wiped; calling it more
// than once, or on an event that waits for nothing, is harmless.
func (e Event) Done() {
	if e.done != nil {
		e.done()
	}
}

// NewEvent is an event whose Done calls done (once); done may be nil.
func NewEvent(k Kind, done func()) Event {
	if done == nil {
		return Event{Kind: k}
	}
	var once sync.Once
	return Event{Kind: k, done: func() { once.Do(done) }}
}

// Watcher reports desktop events on Events until Close.
type Watcher interface {
	Events() <-chan Event
	Close()
}

// quiet is a watcher that never reports.
type quiet struct {
	ch   chan Event
	once sync.Once
}

// None returns a watcher that never reports.
func None() Watcher { return &quiet{ch: make(chan Event)} }

func (q *quiet) Events() <-chan Event { return q.ch }
func (q *quiet) Close()               { q.once.Do(func() { close(q.ch) }) }

// Fake is a Watcher that reports what Send is given (tests).
type Fake struct {
	ch   chan Event
	once sync.Once
}

// NewFake returns a Fake.
func NewFake() *Fake { return &Fake{ch: make(chan Event)} }

// Send reports e; it blocks until the receiver takes it.
func (f *Fake) Send(e Event) { f.ch <- e }

// Events implements Watcher.
func (f *Fake) Events() <-chan Event { return f.ch }

// Close implements Watcher.
func (f *Fake) Close() { f.once.Do(func() { close(f.ch) }) }
