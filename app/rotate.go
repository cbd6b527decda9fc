package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"casevault/app/access"
	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// Settings that remember the backups made under an earlier data key.
const (
	// keyChangedSetting: when the data key was last changed (RFC 3339).
	keyChangedSetting = "key_changed_at"
)

// RotateDataKey changes the vault key: a new data key, everything sealed
// again under it (a full checkpoint), every remaining slot resealed to the
// new key without anyone's passphrase. Whoever copied the vault folder
// before keeps what that copy holds, but nothing the vault writes from now
// on opens with the old key. Backups made before stay restorable with the
// passphrases of their time; new backups go to a new repository (see
// KeyChangedError). It is recorded in the audit trail.
func (s *Session) RotateDataKey(ctx context.Context) (*RotationReport, error) {
	if err := s.allow(ctx, access.RotateKey); err != nil {
		return nil, err
	}
	return s.rotate(ctx, "")
}

func (s *Session) rotate(ctx context.Context, removed string) (*RotationReport, error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	start := time.Now()
	rep := &RotationReport{Removed: removed}
	var keep [][16]byte
	// The audit chain and the passphrase history keep their keys across
	// the change (keys.go): store the chain's key before the old one goes.
	err := s.st.UpdateAs(ctx, store.Everyone, func(tx *store.Tx) error {
		if err := s.keepAuditKey(tx); err != nil {
			return err
		}
		c, err := tx.Counts()
		rep.Clients = c.Clients
		if err != nil {
			return err
		}
		us, err := tx.ListUsers()
		if err != nil {
			return err
		}
		vid := s.v.Info().VaultID
		for _, u := range us {
			if u.Status == store.UserActive {
				keep = append(keep, vault.UserTag(vid, u.Name))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("preparing the change of the vault key: %w", err)
	}
	// Every user holds the data key and could have added a slot of their
	// own to the header: the new key goes only to the owner, the recovery
	// key and the active users (vault.RemoveSlotsExcept).
	strays, err := s.v.RemoveSlotsExcept(keep)
	if err != nil {
		return nil, fmt.Errorf("preparing the change of the vault key: %w", err)
	}
	rot, ok := any(s.st).(keyRotator)
	if !ok {
		return nil, fmt.Errorf("%w: changing the vault key needs store.Store.RotateKey", ErrUsersUnavailable)
	}
	rk, err := rot.RotateKey(ctx)
	if err != nil {
		if !strings.Contains(err.Error(), "vault key") { // the store's and the vault's errors say "changing the vault key: ..." already
			err = fmt.Errorf("changing the vault key: %w", err)
		}
		return nil, err
	}
	rep.NewRecoveryKey = rk
	rep.Took = time.Since(start)
	now := s.now()
	err = s.update(ctx, "key.rotate", func(tx *store.Tx) (string, string, error) {
		tx = tx.As(store.Everyone)
		us, err := tx.ListUsers()
		if err != nil {
			return "", "", err
		}
		for _, u := range us {
			if u.Status == store.UserActive {
				rep.Users = append(rep.Users, u.Name)
			}
		}
		if err := tx.SetSetting(keyChangedSetting, now.UTC().Format(time.RFC3339)); err != nil {
			return "", "", err
		}
		detail := fmt.Sprintf("in %s at %s", human.Duration(rep.Took), human.Count(rep.Clients, "client", "clients"))
		if removed != "" {
			detail = "after removing " + removed + ", " + detail
		}
		if rk != "" {
			detail += "; a new recovery key was made"
		}
		if strays > 0 {
			detail += "; " + human.Count(strays, "key slot that no user owns was", "key slots that no user owns were") + " removed first"
		}
		return "", detail, nil
	})
	// The backups written so far are keyed from the old key.
	kr := loadKeyRepos(s.Dir())
	for _, id := range kr.Repos {
		if !slices.Contains(kr.OldKeyRepos, id) {
			kr.OldKeyRepos = append(kr.OldKeyRepos, id)
		}
	}
	kr.Repos = nil
	if serr := saveKeyRepos(s.Dir(), kr); serr != nil && err == nil {
		err = fmt.Errorf("noting the backup folders made under the old key: %w", serr)
	}
	rep.BackupNote = "Backups made before this change still restore with the passphrases and recovery key of that time. " +
		"The next backup goes to a new backup folder: casevault cannot add to the old ones."
	if err != nil {
		return rep, fmt.Errorf("the vault key WAS changed, but recording it failed: %w", err)
	}
	return rep, nil
}

// keyRotator is the store's rotation (store.Store.RotateKey).
type keyRotator interface {
	RotateKey(ctx context.Context) (vault.RecoveryKey, error)
}

// ErrKeyChanged: the backup folder was made under the vault's earlier key
// (before RotateDataKey), so this vault cannot add to it. The error is a
// *KeyChangedError that suggests a new folder beside it.
var ErrKeyChanged = errors.New("the backup was made under the vault's earlier key")

// KeyChangedError is a backup refused because its repository's keys come
// from the vault's earlier data key.
type KeyChangedError struct {
	Target  string    // the old backup folder
	Changed time.Time // when the vault key changed (zero if unknown)
	Sibling string    // a new folder beside it to back up to instead
}

func (e *KeyChangedError) Error() string {
	when := ""
	if !e.Changed.IsZero() {
		when = " on " + e.Changed.Local().Format("2 January 2006")
	}
	return fmt.Sprintf("the backup in %s was made before the vault key was changed%s, so casevault cannot add to it "+
		"(its snapshots still restore with the passphrases of that time); back up to a new folder instead, such as %s",
		e.Target, when, e.Sibling)
}

// Is reports whether target is ErrKeyChanged.
func (e *KeyChangedError) Is(target error) bool { return target == ErrKeyChanged }

// siblingTarget is a new folder beside target: "NAME after key change",
// then "NAME after key change 2", ... whichever does not exist yet.
func siblingTarget(target string, exists func(string) bool) string {
	base := strings.TrimRight(filepath.Clean(target), string(filepath.Separator)) + " after key change"
	p := base
	for i := 2; exists(p); i++ {
		p = fmt.Sprintf("%s %d", base, i)
	}
	return p
}

// checkRepoKey refuses a repository this vault backed up to under an
// earlier data key (KeyChangedError).
func (s *Session) checkRepoKey(ctx context.Context, target, repoID string) error {
	if !slices.Contains(loadKeyRepos(s.Dir()).OldKeyRepos, repoID) {
		return nil
	}
	changed, _ := s.keyChanged(ctx)
	return &KeyChangedError{Target: target, Changed: changed, Sibling: siblingTarget(target, pathExists)}
}

// oldKeyRepo turns a backup repository that fails to authenticate, after
// the vault key was changed, into a KeyChangedError: its keys most likely
// come from the earlier key (the error says what failed). nil otherwise.
func (s *Session) oldKeyRepo(ctx context.Context, target string, err error) error {
	at, changed := s.keyChanged(ctx)
	if !changed || !errors.Is(err, ErrBackupDamaged) {
		return nil
	}
	return fmt.Errorf("%w (%v)", &KeyChangedError{Target: target, Changed: at, Sibling: siblingTarget(target, pathExists)}, err)
}

// keyChanged reports whether the vault key was ever changed, and when.
func (s *Session) keyChanged(ctx context.Context) (time.Time, bool) {
	var at time.Time
	var ok bool
	s.st.ViewAs(ctx, store.Everyone, func(tx *store.Tx) error {
		v, err := tx.Setting(keyChangedSetting)
		if err == nil {
			ok = true
			at, _ = time.Parse(time.RFC3339, v)
		}
		return nil
	})
	return at, ok
}

// KeyReposFile, in the vault folder, lists in plain JSON the ids of the
// backup repositories written to under the vault's current data key
// (repos) and under an earlier one (old_key_repos), which the vault can no
// longer add to (KeyChangedError). Ids only: random, no client data. A
// missing or edited file only loses the early, clear refusal: a backup to
// an old repository then fails on its keys, and is reported the same way.
const KeyReposFile = "backup-repos.json"

type keyRepos struct {
	Repos       []string `json:"repos,omitempty"`
	OldKeyRepos []string `json:"old_key_repos,omitempty"`
}

func loadKeyRepos(dir string) keyRepos {
	var k keyRepos
	if b, err := os.ReadFile(filepath.Join(dir, KeyReposFile)); err == nil {
		json.Unmarshal(b, &k)
	}
	return k
}

func saveKeyRepos(dir string, k keyRepos) error {
	b, _ := json.MarshalIndent(k, "", "  ")
	return replaceFile(dir, KeyReposFile, b)
}

// noteRepo records that dir's vault backs up to repoID under its current key.
func noteRepo(dir, repoID string) error {
	k := loadKeyRepos(dir)
	if slices.Contains(k.Repos, repoID) {
		return nil
	}
	k.Repos = append(k.Repos, repoID)
	return saveKeyRepos(dir, k)
}
