package intake

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"casevault/app/intake/form"
)

const (
	cookieName = "casevault_intake"
	sentCookie = "casevault_sent" // changed at every send (see submit)
	csrfField  = form.FieldCSRF
	areaField  = form.FieldArea
	// Messages shown to the person at the form. They say nothing about the
	// vault, the lawyer's other clients or how the server works.
	msgNotFound    = "This page does not exist."
	msgBadLink     = "This link has expired or has already been used. Please ask for a new one."
	msgNoSession   = "Please open the link you were given to start the form."
	msgBadAddress  = "This page cannot be opened at this address."
	msgBadOrigin   = "The form must be sent from its own page. Please open the form again."
	msgTooMany     = "Too many requests. Please wait a minute and try again."
	msgTooLarge    = "What you sent is too large. Please send smaller files, or fewer."
	msgUnreadable  = "The form could not be read. Please open the form again and send it once more."
	msgAlreadySent = "This form has already been sent. You do not need to send it again."
	msgOldForm     = "This form is no longer valid. Please open the form again."
	msgNotSaved    = "Your answers could not be saved. Please tell the lawyer."
	msgInternal    = "Something went wrong. Please tell the lawyer."
	msgMethod      = "This page cannot be used that way."
)

// securityHeaders are set on every response, errors included.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
	"Cache-Control":           "no-store",
	"Pragma":                  "no-cache",
	"X-Frame-Options":         "DENY",
	"X-Content-Type-Options":  "nosniff",
	// same-origin, not no-referrer: with no-referrer a browser sends
	// "Origin: null" on a form post, which the Origin check must refuse.
	// There is nothing on another site to leak a referrer to.
	"Referrer-Policy":              "same-origin",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=()",
}

// handler serves one listener: host is the only Host header it accepts.
type handler struct {
	s    *Server
	host string
	tls  bool
}

func (h *handler) origin() string {
	if h.tls {
		return "https://" + h.host
	}
	return "http://" + h.host
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	for k, v := range securityHeaders {
		hdr.Set(k, v)
	}
	if h.tls {
		hdr.Set("Strict-Transport-Security", "max-age=86400")
	}
	// DNS rebinding: a page of another site whose name now points here
	// sends that name as Host. Only our own address is served.
	if r.Host != h.host {
		h.fail(w, http.StatusMisdirectedRequest, msgBadAddress)
		return
	}
	sess := h.s.session(r)
	if !h.s.allowRequest(sess, r) {
		hdr.Set("Retry-After", "60")
		h.fail(w, http.StatusTooManyRequests, msgTooMany)
		return
	}
	switch {
	case r.URL.Path == "/static/style.css":
		if !h.methods(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		h.static(w, "style.css", "text/css; charset=utf-8")
	case strings.HasPrefix(r.URL.Path, "/start/"):
		if !h.methods(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		h.start(w, r, strings.TrimPrefix(r.URL.Path, "/start/"))
	case r.URL.Path == "/form":
		if !h.methods(w, r, http.MethodGet, http.MethodHead, http.MethodPost) {
			return
		}
		if sess == nil {
			h.fail(w, http.StatusForbidden, msgNoSession)
			return
		}
		if r.Method == http.MethodPost {
			h.submit(w, r, sess)
			return
		}
		h.showForm(w, r, sess)
	case r.URL.Path == "/thanks":
		if !h.methods(w, r, http.MethodGet, http.MethodHead) {
			return
		}
		if sess == nil {
			h.fail(w, http.StatusForbidden, msgNoSession)
			return
		}
		h.render(w, http.StatusOK, func(b *bytes.Buffer) error {
			return form.RenderThanks(b, &form.Page{Title: "Thank you", Action: "/form"})
		})
	default:
		h.fail(w, http.StatusNotFound, msgNotFound)
	}
}

func (h *handler) methods(w http.ResponseWriter, r *http.Request, ok ...string) bool {
	for _, m := range ok {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(ok, ", "))
	h.fail(w, http.StatusMethodNotAllowed, msgMethod)
	return false
}

// fail writes the plain error page.
func (h *handler) fail(w http.ResponseWriter, status int, msg string) {
	h.render(w, status, func(b *bytes.Buffer) error { return form.RenderError(b, status, msg) })
}

// render writes a page built in memory first, so a template error never
// leaves half a page.
func (h *handler) render(w http.ResponseWriter, status int, page func(*bytes.Buffer) error) {
	var b bytes.Buffer
	if err := page(&b); err != nil {
		b.Reset()
		status = http.StatusInternalServerError
		fmt.Fprintf(&b, "<!doctype html><title>Error</title><p>%s</p>", msgInternal)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func (h *handler) static(w http.ResponseWriter, name, ctype string) {
	b, err := fs.ReadFile(form.Static(), name)
	if err != nil {
		h.fail(w, http.StatusNotFound, msgNotFound)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

// start uses a one-time link: a new browser session, then the form.
func (h *handler) start(w http.ResponseWriter, r *http.Request, token string) {
	if !h.s.useLink(token) {
		h.fail(w, http.StatusForbidden, msgBadLink)
		return
	}
	cookie := h.s.newSession()
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: cookie, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.tls,
	})
	http.Redirect(w, r, "/form", http.StatusSeeOther)
}

// area is the practice area of a request: the server's, or the one asked for.
func (h *handler) area(asked string) (*form.Area, bool) {
	if h.s.cfg.Area != "" {
		return h.s.cfg.Form.Area(h.s.cfg.Area)
	}
	if asked == "" {
		return nil, true
	}
	return h.s.cfg.Form.Area(asked)
}

func (h *handler) showForm(w http.ResponseWriter, r *http.Request, sess *session) {
	area, ok := h.area(r.URL.Query().Get(areaField))
	if !ok {
		area = nil // an unknown area: choose again
	}
	h.renderForm(w, http.StatusOK, sess, area, nil, nil)
}

func (h *handler) renderForm(w http.ResponseWriter, status int, sess *session, area *form.Area, values url.Values, errs form.FieldErrors) {
	p := &form.Page{
		Title:   "Client intake",
		Area:    area,
		Areas:   h.s.cfg.Form.Areas,
		Values:  shownAgain(values),
		Errors:  errs,
		Action:  "/form",
		Notice:  h.s.cfg.Form.Notice,
		Limits:  h.s.lim.Form,
		Message: "",
	}
	if area != nil {
		p.CSRF = h.s.newFormToken(sess)
		for _, k := range area.Questions {
			if q, ok := h.s.cfg.Form.Question(k); ok {
				p.Questions = append(p.Questions, *q)
			}
		}
	}
	h.render(w, status, func(b *bytes.Buffer) error { return form.RenderForm(b, p) })
}

// sameOrigin: a post must come from our own page. A browser sends Origin on
// every post; without it, the Referer must be ours.
func (h *handler) sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if o := r.Header.Values("Origin"); len(o) > 0 {
		return len(o) == 1 && o[0] == h.origin()
	}
	ref := r.Header.Get("Referer")
	return ref != "" && strings.HasPrefix(ref, h.origin()+"/")
}

func (h *handler) submit(w http.ResponseWriter, r *http.Request, sess *session) {
	if !h.sameOrigin(r) {
		h.fail(w, http.StatusForbidden, msgBadOrigin)
		return
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		h.fail(w, http.StatusBadRequest, msgUnreadable)
		return
	}
	lim := h.s.lim
	if r.ContentLength > lim.MaxBody {
		h.fail(w, http.StatusRequestEntityTooLarge, msgTooLarge)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxBody)
	select {
	case h.s.sem <- struct{}{}:
		defer func() { <-h.s.sem }()
	case <-r.Context().Done():
		return
	}
	// As r.MultipartReader() does, with the body watched for its end.
	body := newEndReader(r.Body, params["boundary"])
	p, err := readForm(multipart.NewReader(body, params["boundary"]), lim.Form, h.isFileQuestion)
	if err == nil && !body.saw {
		err = errors.New("the form was cut short")
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, errTooLarge) {
			h.fail(w, http.StatusRequestEntityTooLarge, msgTooLarge)
			return
		}
		h.fail(w, http.StatusBadRequest, msgUnreadable)
		return
	}
	switch h.s.useFormToken(sess, p.values.Get(csrfField)) {
	case tokenSent:
		h.fail(w, http.StatusConflict, msgAlreadySent)
		return
	case tokenBad:
		h.fail(w, http.StatusForbidden, msgOldForm)
		return
	}
	area, ok := h.area(p.values.Get(areaField))
	if !ok || area == nil {
		h.s.refuseFormToken(sess, p.values.Get(csrfField))
		h.renderForm(w, http.StatusUnprocessableEntity, sess, nil, nil, nil)
		return
	}
	values := url.Values{}
	for k, v := range p.values {
		if k != csrfField && k != areaField {
			values[k] = v
		}
	}
	answers, consent, errs := form.Parse(h.s.cfg.Form, area.Key, values)
	files := h.keepFiles(p, area)
	if len(errs) > 0 || p.fileErr != "" {
		if errs == nil {
			errs = form.FieldErrors{}
		}
		if p.fileErr != "" {
			errs[form.FieldFiles] = p.fileErr
		} else if len(files) > 0 {
			errs[form.FieldFiles] = "Please choose your files again."
		}
		h.s.refuseFormToken(sess, p.values.Get(csrfField))
		h.renderForm(w, http.StatusUnprocessableEntity, sess, area, values, errs)
		return
	}
	sub := &form.Submission{
		Format: form.FormatName, Version: form.FormatVersion, ID: form.NewID(),
		ReceivedAt: h.s.now().UTC().Truncate(time.Millisecond), Session: h.s.runID,
		PracticeArea: area.Key, FormVersion: h.s.cfg.Form.Version, Notice: h.s.cfg.Form.Notice,
		Consent: consent, Answers: answers,
	}
	for _, f := range files {
		sub.Files = append(sub.Files, f.Meta)
	}
	if err := h.s.seal(sub, files); err != nil {
		h.s.refuseFormToken(sess, p.values.Get(csrfField))
		h.fail(w, http.StatusInternalServerError, msgNotSaved)
		return
	}
	h.s.sentFormToken(sess, p.values.Get(csrfField))
	h.s.received.Add(1)
	if h.s.cfg.OnSealed != nil {
		h.s.cfg.OnSealed()
	}
	// A new cookie value with the redirect: Chromium keeps even no-store
	// pages in its back/forward cache (Back after Send showed the filled-in
	// form, from memory) unless a cookie changed, which evicts them. The
	// value means nothing; the server never reads it.
	http.SetCookie(w, &http.Cookie{
		Name: sentCookie, Value: newToken(), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.tls,
	})
	http.Redirect(w, r, "/thanks", http.StatusSeeOther)
}

// isFileQuestion says whether a field is a file question of the form.
func (h *handler) isFileQuestion(key string) bool {
	q, ok := h.s.cfg.Form.Question(key)
	return ok && q.Kind == form.Upload
}

// keepFiles keeps the files of the area's file questions, numbered 1.. in order.
func (h *handler) keepFiles(p *posted, area *form.Area) []form.File {
	var out []form.File
	for _, f := range p.files {
		if !containsString(area.Questions, f.Meta.Question) {
			continue
		}
		f.Meta.N = len(out) + 1
		out = append(out, f)
	}
	return out
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// ---- links, sessions, form tokens ----

type pendingLink struct {
	digest  [32]byte // SHA-256 of the token
	expires time.Time
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := randRead(b); err != nil {
		panic("intake: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) newLink(scheme, addr string) (string, error) {
	select {
	case <-s.done:
		return "", fmt.Errorf("making a link: %w", ErrNotRunning)
	default:
	}
	token := newToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked()
	if len(s.links)+len(s.sessions) >= s.lim.MaxSessions {
		return "", fmt.Errorf("making a link: %w: too many open links and forms (%d); stop intake and start it again", ErrConfig, s.lim.MaxSessions)
	}
	s.links = append(s.links, &pendingLink{digest: sha256.Sum256([]byte(token)), expires: s.now().Add(s.lim.LinkTTL)})
	return scheme + "://" + addr + "/start/" + token, nil
}

// useLink consumes a one-time link. Every pending link is compared, in
// constant time, so the time taken says nothing about which one is near.
func (s *Server) useLink(token string) bool {
	d := sha256.Sum256([]byte(token))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	found := -1
	for i, l := range s.links {
		if subtle.ConstantTimeCompare(l.digest[:], d[:]) == 1 && found < 0 {
			found = i
		}
	}
	if found < 0 || token == "" {
		return false
	}
	l := s.links[found]
	s.links = append(s.links[:found], s.links[found+1:]...)
	return now.Before(l.expires)
}

type tokenState int

const (
	tokenBad tokenState = iota
	tokenOK
	tokenSent
)

// session is one browser's: it came through a one-time link.
type session struct {
	lastUsed time.Time
	forms    map[string]time.Time // form tokens shown and not yet used
	sent     map[string]bool      // form tokens used: true = sent, false = refused
	rate     *bucket
}

const maxFormTokens = 16

// newSession starts a browser's session. Sessions need no bound of their
// own: each comes from a link, and newLink keeps links and sessions
// together within MaxSessions.
func (s *Server) newSession() string {
	cookie := newToken()
	d := sha256.Sum256([]byte(cookie))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[hex.EncodeToString(d[:])] = &session{
		lastUsed: s.now(), forms: map[string]time.Time{}, sent: map[string]bool{},
		rate: newBucket(s.lim.PerMinute, s.lim.Burst, s.now()),
	}
	return cookie
}

// session finds the request's session; nil when it has none (or an expired one).
func (s *Server) session(r *http.Request) *session {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil
	}
	d := sha256.Sum256([]byte(c.Value))
	key := hex.EncodeToString(d[:])
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[key]
	if sess == nil {
		return nil
	}
	if now.Sub(sess.lastUsed) > s.lim.SessionTTL {
		delete(s.sessions, key)
		return nil
	}
	sess.lastUsed = now
	return sess
}

// pruneLocked drops expired links and sessions.
func (s *Server) pruneLocked() {
	now := s.now()
	kept := s.links[:0]
	for _, l := range s.links {
		if now.Before(l.expires) {
			kept = append(kept, l)
		}
	}
	s.links = kept
	for k, sess := range s.sessions {
		if now.Sub(sess.lastUsed) > s.lim.SessionTTL {
			delete(s.sessions, k)
		}
	}
}

// newFormToken is the CSRF token of one form page: bound to the session,
// good for one post.
func (s *Server) newFormToken(sess *session) string {
	t := newToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(sess.forms) >= maxFormTokens {
		var oldest string
		var at time.Time
		for k, v := range sess.forms {
			if oldest == "" || v.Before(at) {
				oldest, at = k, v
			}
		}
		delete(sess.forms, oldest)
	}
	sess.forms[t] = s.now()
	return t
}

// useFormToken takes a form token out of the session: tokenOK once, then
// tokenSent (the same form sent again) or tokenBad.
func (s *Server) useFormToken(sess *session, t string) tokenState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var match string
	for k := range sess.forms {
		if subtle.ConstantTimeCompare([]byte(k), []byte(t)) == 1 {
			match = k
		}
	}
	if match != "" && t != "" {
		delete(sess.forms, match)
		return tokenOK
	}
	if sent, ok := sess.sent[t]; ok && sent {
		return tokenSent
	}
	return tokenBad
}

func (s *Server) markToken(sess *session, t string, sent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(sess.sent) >= 64 {
		for k := range sess.sent {
			delete(sess.sent, k)
			break
		}
	}
	sess.sent[t] = sent
}

func (s *Server) sentFormToken(sess *session, t string)   { s.markToken(sess, t, true) }
func (s *Server) refuseFormToken(sess *session, t string) { s.markToken(sess, t, false) }

// allowRequest applies the rate limit: per session, else per remote address.
func (s *Server) allowRequest(sess *session, r *http.Request) bool {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess != nil {
		return sess.rate.take(now)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return s.anon.take(host, now)
}

// shownAgain is what a refused form shows again: the person's answers with
// invalid bytes replaced and control characters (escape codes) dropped.
func shownAgain(values url.Values) url.Values {
	if values == nil {
		return nil
	}
	out := make(url.Values, len(values))
	for k, vs := range values {
		for _, v := range vs {
			v = strings.ToValidUTF8(v, "\uFFFD")
			v = strings.Map(func(r rune) rune {
				if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
					return -1
				}
				return r
			}, v)
			out[k] = append(out[k], v)
		}
	}
	return out
}
