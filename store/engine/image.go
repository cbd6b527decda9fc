package engine

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"casevault/vault"
)

// The database image without copies. modernc's conn.Deserialize copies a Go
// slice into SQLite's memory, and conn.Serialize copies SQLite's image into
// C memory and that into a Go slice: at 10,000 clients each copy is 58 MiB
// of fresh memory, whose page faults cost more than decrypting it. Through
// the connection's SQLite handle, an open decrypts the chunks straight into
// memory from sqlite3_malloc64, which sqlite3_deserialize then owns, and a
// checkpoint reads the image in place (sqlite3_serialize with
// SQLITE_SERIALIZE_NOCOPY, valid until the next write: the checkpoint runs
// under the database's lock). The handle is an unexported field of
// modernc's connection, reached by reflection after checking its type (as
// preUpdateRaw does); with another version of the driver, or when
// rawImage is off (tests), the copying methods are used.

// rawImage switches the raw paths on; tests turn it off to check the others.
var rawImage atomic.Bool

func init() { rawImage.Store(true) }

// rawHandle returns the SQLite handle of modernc's driver connection dc.
func rawHandle(dc any) (tls *libc.TLS, db uintptr, ok bool) {
	if !rawImage.Load() {
		return nil, 0, false
	}
	rv := reflect.ValueOf(dc)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, 0, false
	}
	e := rv.Elem()
	t := e.Type()
	if t.PkgPath() != reflect.TypeOf(sqlite.Driver{}).PkgPath() || t.Name() != "conn" {
		return nil, 0, false
	}
	tf, ok1 := t.FieldByName("tls")
	df, ok2 := t.FieldByName("db")
	if !ok1 || !ok2 || tf.Type != reflect.TypeOf((*libc.TLS)(nil)) || df.Type.Kind() != reflect.Uintptr {
		return nil, 0, false
	}
	tls = (*libc.TLS)(e.FieldByIndex(tf.Index).UnsafePointer())
	db = uintptr(e.FieldByIndex(df.Index).Uint())
	return tls, db, tls != nil && db != 0
}

// cBytes is the n bytes of C memory at p as a slice (no copy).
func cBytes(p uintptr, n int64) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), n)
}

// loadImage loads the vault's latest checkpoint into the connection dc.
// It returns the image's size (0: the vault's database is still empty).
func loadImage(ctx context.Context, v *vault.Vault, dc any) (int64, error) {
	tls, db, ok := rawHandle(dc)
	if !ok {
		image, _, err := v.LoadCheckpoint(ctx)
		if err != nil || len(image) == 0 {
			return 0, err
		}
		if err := dc.(interface{ Deserialize([]byte) error }).Deserialize(image); err != nil {
			return 0, imageError(v, err)
		}
		return int64(len(image)), nil
	}
	var p uintptr
	var size int64
	image, _, err := v.LoadCheckpointInto(ctx, func(n int64) ([]byte, error) {
		// Room to grow: SQLite's in-memory file doubles its buffer when
		// the database outgrows it, which copies the whole image.
		// Memory not yet written to is not resident.
		size = 2 * n
		if p = sqlite3.Xsqlite3_malloc64(tls, uint64(size)); p == 0 {
			return nil, fmt.Errorf("out of memory")
		}
		b := cBytes(p, size)
		adviseHuge(b)
		return b, nil
	})
	if err != nil || len(image) == 0 {
		if p != 0 {
			sqlite3.Xsqlite3_free(tls, p)
		}
		return 0, err
	}
	zSchema := sqlite3.Xsqlite3_db_name(tls, db, 0)
	if zSchema == 0 {
		sqlite3.Xsqlite3_free(tls, p)
		return 0, fmt.Errorf("the database has no main schema")
	}
	// SQLite owns p from here, even when this fails.
	rc := sqlite3.Xsqlite3_deserialize(tls, db, zSchema, p, int64(len(image)), size,
		sqlite3.SQLITE_DESERIALIZE_RESIZEABLE|sqlite3.SQLITE_DESERIALIZE_FREEONCLOSE)
	if rc != sqlite3.SQLITE_OK {
		return 0, imageError(v, fmt.Errorf("%s (%d)", libc.GoString(sqlite3.Xsqlite3_errstr(tls, rc)), rc))
	}
	return int64(len(image)), nil
}

func imageError(v *vault.Vault, err error) error {
	return &vault.DamagedError{File: v.Dir() + "/" + vault.ManifestFile, Reason: "the database image does not load: " + err.Error()}
}

// withImage runs fn with the connection's database image: in place when it
// can (fn must not keep it, and nothing may write meanwhile), else a copy.
func withImage(dc any, fn func(image []byte) error) error {
	if tls, db, ok := rawHandle(dc); ok {
		zSchema := sqlite3.Xsqlite3_db_name(tls, db, 0)
		pLen := tls.Alloc(8)
		p := sqlite3.Xsqlite3_serialize(tls, db, zSchema, pLen, sqlite3.SQLITE_SERIALIZE_NOCOPY)
		n := *(*int64)(*(*unsafe.Pointer)(unsafe.Pointer(&pLen)))
		tls.Free(8)
		// p is 0 when the database does not live in one piece of memory
		// (an empty vault's, never deserialised): copy it below.
		if zSchema != 0 && p != 0 && n > 0 {
			return fn(cBytes(p, n))
		}
	}
	image, err := dc.(interface{ Serialize() ([]byte, error) }).Serialize()
	if err != nil {
		return fmt.Errorf("serialising the database: %w", err)
	}
	return fn(image)
}
