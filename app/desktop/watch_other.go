//go:build !linux

package desktop

import "errors"

// Watch returns a watcher that never reports: on this platform casevault
// does not yet learn when the session locks or the computer sleeps (see the
// package documentation).
func Watch() (Watcher, error) {
	return None(), errors.New("watching the desktop session is not supported on this platform")
}
