package intake

import (
	"crypto/rand"
	"time"
)

var randRead = rand.Read

// bucket is a token bucket: burst requests at once, refilled at perMinute.
type bucket struct {
	tokens    float64
	last      time.Time
	perSecond float64
	burst     float64
}

func newBucket(perMinute, burst int, now time.Time) *bucket {
	return &bucket{tokens: float64(burst), last: now, perSecond: float64(perMinute) / 60, burst: float64(burst)}
}

func (b *bucket) take(now time.Time) bool {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens += dt * b.perSecond
		if b.tokens > b.burst {
			b.tokens = b.burst
		}
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// limiter keeps a bucket per key (a remote address), at most max of them:
// when full, the buckets that have refilled are forgotten first (they hold
// nothing), and if none has, every bucket is (a flood of addresses cannot
// grow memory).
type limiter struct {
	perMinute, burst, max int
	buckets               map[string]*bucket
}

func newLimiter(perMinute, burst, max int) *limiter {
	return &limiter{perMinute: perMinute, burst: burst, max: max, buckets: map[string]*bucket{}}
}

func (l *limiter) take(key string, now time.Time) bool {
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.max {
			for k, o := range l.buckets {
				o.take(now) // refill
				o.tokens++  // give back the token take used
				if o.tokens >= o.burst {
					delete(l.buckets, k)
				}
			}
			if len(l.buckets) >= l.max {
				clear(l.buckets)
			}
		}
		b = newBucket(l.perMinute, l.burst, now)
		l.buckets[key] = b
	}
	return b.take(now)
}
