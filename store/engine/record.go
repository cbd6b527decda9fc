package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A redo log record is one committed write transaction: the row changes its
// top-level statements made, in order (docs/FORMAT.md, "Log record payload").
// Changes made by triggers (FTS indexes, cascades) are not recorded: replay
// runs the same triggers again.

type op uint8

const (
	opInsert op = 1
	opUpdate op = 2
	opDelete op = 3
)

const recordVersion = 1

type colVal struct {
	Col int
	Val any // nil, int64, float64, string or []byte
}

type change struct {
	Op     op
	Table  string
	OldRow int64 // update, delete
	NewRow int64 // insert, update
	Vals   []colVal
}

const (
	tagNull  = 0
	tagInt   = 1
	tagFloat = 2
	tagText  = 3
	tagBlob  = 4
)

func encodeRecord(changes []change) ([]byte, error) {
	b := []byte{recordVersion}
	b = binary.AppendUvarint(b, uint64(len(changes)))
	for _, c := range changes {
		b = append(b, byte(c.Op))
		b = binary.AppendUvarint(b, uint64(len(c.Table)))
		b = append(b, c.Table...)
		if c.Op != opInsert {
			b = binary.AppendVarint(b, c.OldRow)
		}
		if c.Op != opDelete {
			b = binary.AppendVarint(b, c.NewRow)
			b = binary.AppendUvarint(b, uint64(len(c.Vals)))
			for _, v := range c.Vals {
				b = binary.AppendUvarint(b, uint64(v.Col))
				switch x := v.Val.(type) {
				case nil:
					b = append(b, tagNull)
				case int64:
					b = append(b, tagInt)
					b = binary.AppendVarint(b, x)
				case float64:
					b = append(b, tagFloat)
					b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
				case string:
					b = append(b, tagText)
					b = binary.AppendUvarint(b, uint64(len(x)))
					b = append(b, x...)
				case []byte:
					b = append(b, tagBlob)
					b = binary.AppendUvarint(b, uint64(len(x)))
					b = append(b, x...)
				default:
					return nil, fmt.Errorf("redo log: unsupported value type %T", v.Val)
				}
			}
		}
	}
	return b, nil
}

var errRecord = errors.New("malformed redo log record")

type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errRecord
	}
}

func (r *reader) byte() byte {
	if r.err != nil || len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n uint64) []byte {
	if r.err != nil || n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

const maxColumns = 2000 // SQLite's default SQLITE_MAX_COLUMN

func decodeRecord(b []byte) ([]change, error) {
	r := &reader{b: b}
	if v := r.byte(); r.err == nil && v != recordVersion {
		return nil, fmt.Errorf("%w: version %d", errRecord, v)
	}
	n := r.uvarint()
	if n > uint64(len(b)) { // every change takes at least one byte
		return nil, errRecord
	}
	changes := make([]change, 0, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		c := change{Op: op(r.byte())}
		if c.Op < opInsert || c.Op > opDelete {
			return nil, fmt.Errorf("%w: operation %d", errRecord, c.Op)
		}
		c.Table = string(r.bytes(r.uvarint()))
		if c.Op != opInsert {
			c.OldRow = r.varint()
		}
		if c.Op != opDelete {
			c.NewRow = r.varint()
			nv := r.uvarint()
			if nv > maxColumns {
				return nil, fmt.Errorf("%w: %d columns", errRecord, nv)
			}
			for j := uint64(0); j < nv && r.err == nil; j++ {
				col := r.uvarint()
				if col >= maxColumns {
					return nil, fmt.Errorf("%w: column %d", errRecord, col)
				}
				cv := colVal{Col: int(col)}
				switch r.byte() {
				case tagNull:
				case tagInt:
					cv.Val = r.varint()
				case tagFloat:
					if bs := r.bytes(8); bs != nil {
						cv.Val = math.Float64frombits(binary.LittleEndian.Uint64(bs))
					}
				case tagText:
					cv.Val = string(r.bytes(r.uvarint()))
				case tagBlob:
					bs := r.bytes(r.uvarint())
					cv.Val = append([]byte{}, bs...)
				default:
					r.fail()
				}
				c.Vals = append(c.Vals, cv)
			}
		}
		changes = append(changes, c)
	}
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errRecord, len(r.b))
	}
	return changes, nil
}

func valuesEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	return false
}
