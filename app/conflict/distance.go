package conflict

// osaBounded returns the optimal string alignment distance (Damerau–Levenshtein where
// no substring is edited twice: insertions, deletions, substitutions and transpositions
// of adjacent letters each cost 1) between a and b when it is at most k, and k+1
// otherwise. buf must hold at least 3*(len(b)+1) values; it is not allocated here.
func osaBounded(a, b []rune, k int, buf []int32) int {
	la, lb := len(a), len(b)
	if la-lb > k || lb-la > k {
		return k + 1
	}
	if la == 0 || lb == 0 {
		return max(la, lb)
	}
	// Only cells with |i-j| <= k can hold a value <= k; the band's neighbours are set to
	// k+1 ("too far") so reads just outside it are harmless.
	w := lb + 1
	prev2, prev, cur := buf[0:w], buf[w:2*w], buf[2*w:3*w]
	inf := int32(k + 1)
	for j := range prev {
		if j <= k {
			prev[j] = int32(j)
		} else {
			prev[j] = inf
		}
	}
	for i := 1; i <= la; i++ {
		lo, hi := max(1, i-k), min(lb, i+k)
		rowMin := inf
		if lo == 1 {
			cur[0] = min(int32(i), inf)
			rowMin = cur[0]
		} else {
			cur[lo-1] = inf
		}
		ai := a[i-1]
		for j := lo; j <= hi; j++ {
			v := prev[j-1]
			if ai != b[j-1] {
				v++
				if d := prev[j] + 1; d < v {
					v = d
				}
				if d := cur[j-1] + 1; d < v {
					v = d
				}
				if i > 1 && j > 1 && ai == b[j-2] && a[i-2] == b[j-1] {
					if d := prev2[j-2] + 1; d < v {
						v = d
					}
				}
			}
			v = min(v, inf)
			cur[j] = v
			if v < rowMin {
				rowMin = v
			}
		}
		if hi < lb {
			cur[hi+1] = inf
		}
		// Row minima never decrease, so once a whole row exceeds k the answer does too.
		if rowMin > int32(k) {
			return k + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return int(prev[lb])
}

// maskOf is a 64-bit set of the letters in s (a-z and 0-9 exactly, other runes hashed).
// One edit changes at most two bits, so popcount(maskOf(a)^maskOf(b)) <= 2*distance.
func maskOf(s []rune) uint64 {
	var m uint64
	for _, r := range s {
		var bit uint
		switch {
		case 'a' <= r && r <= 'z':
			bit = uint(r - 'a')
		case '0' <= r && r <= '9':
			bit = 26 + uint(r-'0')
		default:
			bit = 36 + uint(r)%28
		}
		m |= 1 << bit
	}
	return m
}
