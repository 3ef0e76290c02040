package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"microlab/quiz"
)

// device is a well-formed new device numbered n, labelled after it.
func device(n int) NewDevice {
	return NewDevice{ID: fmt.Sprintf("d%031x", n), Label: fmt.Sprintf("Browser %d", n)}
}

func mustCreateLinkCode(tb testing.TB, db *DB, learnerID string, self NewDevice) LinkCode {
	tb.Helper()
	code, err := db.CreateLinkCode(context.Background(), learnerID, self)
	if err != nil {
		tb.Fatalf("CreateLinkCode(%s): %v", learnerID, err)
	}
	return code
}

func mustRedeem(tb testing.TB, db *DB, code string, j Joining) string {
	tb.Helper()
	learner, err := db.RedeemLinkCode(context.Background(), code, j)
	if err != nil {
		tb.Fatalf("RedeemLinkCode(%s): %v", code, err)
	}
	return learner
}

// deviceIDs lists the ids of the learner's devices, oldest first.
func deviceIDs(tb testing.TB, db *DB, learnerID string) []string {
	tb.Helper()
	ds, err := db.Devices(context.Background(), learnerID)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	return ids
}

func signedIn(tb testing.TB, db *DB, learnerID, deviceID string) bool {
	tb.Helper()
	ok, err := db.DeviceSignedIn(context.Background(), learnerID, deviceID)
	if err != nil {
		tb.Fatal(err)
	}
	return ok
}

func TestNormalizeLinkCode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"K7QH-3MZP", "K7QH3MZP", true},
		{"k7qh-3mzp", "K7QH3MZP", true},
		{" K7QH 3MZP ", "K7QH3MZP", true},
		{"K7QH3MZP", "K7QH3MZP", true},
		{"K7QH-3MZ", "", false},
		{"K7QH-3MZPP", "", false},
		{"K7QH-3MZ0", "", false}, // zero is not in the alphabet
		{"K7QH-3MZO", "", false},
		{"K7QH-3MZ1", "", false},
		{"K7QH-3MZI", "", false},
		{"K7QH-3MZé", "", false},
		{"", "", false},
		{strings.Repeat("-", 100) + "K7QH3MZP", "", false},
	} {
		got, ok := NormalizeLinkCode(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NormalizeLinkCode(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLinkCodesAreGroupedAndFromTheAlphabet(t *testing.T) {
	db := mustOpenClock(t, newClock())
	seen := map[string]bool{}
	for i := range 3 {
		code := mustCreateLinkCode(t, db, learnerA, device(1)).Code
		norm, ok := NormalizeLinkCode(code)
		if !ok || len(code) != 9 || code[4] != '-' || FormatLinkCode(norm) != code {
			t.Errorf("code %d = %q, want two groups of four from the alphabet", i, code)
		}
		seen[code] = true
	}
	if len(seen) != 3 {
		t.Errorf("three codes made %d different ones", len(seen))
	}
}

func TestLinkCodeIsSingleUse(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	code := mustCreateLinkCode(t, db, learnerA, device(1))
	if got := mustRedeem(t, db, strings.ToLower(code.Code), Joining{Device: device(2)}); got != learnerA {
		t.Fatalf("the code links to learner %s, want %s", got, learnerA)
	}
	_, err := db.RedeemLinkCode(ctx, code.Code, Joining{Device: device(3)})
	wantErr(t, "a second use of the code", err, ErrNotFound)
	if got, want := strings.Join(deviceIDs(t, db, learnerA), ","), device(1).ID+","+device(2).ID; got != want {
		t.Errorf("devices = %s, want the maker and the one that used the code: %s", got, want)
	}
	if n := count(t, db, "SELECT count(*) FROM link_codes"); n != 0 {
		t.Errorf("a used code left %d rows", n)
	}
	_, err = db.RedeemLinkCode(ctx, "ZZZZ-ZZZZ", Joining{Device: device(4)})
	wantErr(t, "a code never made", err, ErrNotFound)
	_, err = db.RedeemLinkCode(ctx, "not a code", Joining{Device: device(4)})
	wantErr(t, "a malformed code", err, ErrNotFound)
}

func TestLinkCodeExpiresAfterTenMinutes(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	early := mustCreateLinkCode(t, db, learnerA, device(1))
	late := mustCreateLinkCode(t, db, learnerA, device(1))
	if want := c.Now().Add(LinkCodeLife); !early.Expires.Equal(want) {
		t.Errorf("the code expires at %v, want %v", early.Expires, want)
	}
	c.Advance(LinkCodeLife - time.Second)
	mustRedeem(t, db, early.Code, Joining{Device: device(2)})
	c.Advance(time.Second)
	_, err := db.RedeemLinkCode(ctx, late.Code, Joining{Device: device(3)})
	wantErr(t, "a code ten minutes old", err, ErrNotFound)
	if ids := deviceIDs(t, db, learnerA); len(ids) != 2 {
		t.Errorf("an expired code linked a device: %v", ids)
	}
	// Making a code prunes the expired ones, of every learner.
	mustCreateLinkCode(t, db, learnerB, device(9))
	if n := count(t, db, "SELECT count(*) FROM link_codes WHERE learner_id = ?", learnerA); n != 0 {
		t.Errorf("%d expired codes kept after a prune", n)
	}
}

func TestLinkCodeIsStoredHashed(t *testing.T) {
	db := mustOpenClock(t, newClock())
	code := mustCreateLinkCode(t, db, learnerA, device(1))
	norm, _ := NormalizeLinkCode(code.Code)
	sum := sha256.Sum256([]byte(norm))
	if n := count(t, db, "SELECT count(*) FROM link_codes WHERE hash = ?", hex.EncodeToString(sum[:])); n != 1 {
		t.Errorf("no row holds the code's SHA-256 (found %d)", n)
	}
	for _, plain := range []string{norm, code.Code} {
		if n := count(t, db, "SELECT count(*) FROM link_codes WHERE instr(hash, ?) > 0 OR instr(learner_id, ?) > 0", plain, plain); n != 0 {
			t.Errorf("the table holds the code %q as it is", plain)
		}
	}
}

func TestAtMostThreeLiveCodesPerLearner(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	for range MaxLiveLinkCodes {
		mustCreateLinkCode(t, db, learnerA, device(1))
	}
	_, err := db.CreateLinkCode(ctx, learnerA, device(1))
	var full *FullError
	if !errors.As(err, &full) || full.What != FullLinkCodes || full.Max != 3 {
		t.Fatalf("a fourth live code: %v, want a *FullError of %s", err, FullLinkCodes)
	}
	mustCreateLinkCode(t, db, learnerB, device(2)) // another learner's are their own
	c.Advance(LinkCodeLife)
	mustCreateLinkCode(t, db, learnerA, device(1))
	if n := count(t, db, "SELECT count(*) FROM link_codes WHERE learner_id = ?", learnerA); n != 1 {
		t.Errorf("after the first three expired, A holds %d codes, want 1", n)
	}
}

func TestDevicesListAndSignOut(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	if !signedIn(t, db, learnerA, "") {
		t.Fatal("a learner cookie alone, of a learner with no device yet, is refused: old browsers would lose their progress")
	}
	mustRedeem(t, db, mustCreateLinkCode(t, db, learnerA, device(1)).Code, Joining{Device: device(2)})
	c.Advance(time.Minute)
	mustRedeem(t, db, mustCreateLinkCode(t, db, learnerA, device(1)).Code, Joining{Device: device(3)})

	ds, err := db.Devices(ctx, learnerA)
	if err != nil || len(ds) != 3 {
		t.Fatalf("devices = %+v, %v; want 3", ds, err)
	}
	if ds[2].ID != device(3).ID || ds[2].Label != "Browser 3" || !ds[2].Created.Equal(c.Now()) || !ds[2].Seen.Equal(c.Now()) {
		t.Errorf("the newest device = %+v", ds[2])
	}
	for _, n := range []int{1, 2, 3} {
		if !signedIn(t, db, learnerA, device(n).ID) {
			t.Errorf("device %d is not signed in", n)
		}
	}
	if signedIn(t, db, learnerA, "") {
		t.Error("a learner cookie with no device is accepted once the learner has devices: a signed-out browser could drop its device cookie")
	}
	if signedIn(t, db, learnerB, device(2).ID) {
		t.Error("A's device passes as B's")
	}

	if err := db.SignOutDevice(ctx, learnerA, device(2).ID); err != nil {
		t.Fatal(err)
	}
	if signedIn(t, db, learnerA, device(2).ID) {
		t.Error("a signed-out device is still signed in")
	}
	if got := strings.Join(deviceIDs(t, db, learnerA), ","); got != device(1).ID+","+device(3).ID {
		t.Errorf("after signing out device 2, devices = %s", got)
	}
	wantErr(t, "signing out a device twice", db.SignOutDevice(ctx, learnerA, device(2).ID), ErrNotFound)
	wantErr(t, "signing out another learner's device", db.SignOutDevice(ctx, learnerB, device(1).ID), ErrNotFound)
	// With every device signed out, a cookie without a device is still refused.
	db.SignOutDevice(ctx, learnerA, device(1).ID)
	db.SignOutDevice(ctx, learnerA, device(3).ID)
	if signedIn(t, db, learnerA, "") {
		t.Error("once every device is signed out, a learner cookie alone passes again")
	}
}

func TestDeviceSeenAtMostHourly(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	made := c.Now()
	mustCreateLinkCode(t, db, learnerA, device(1))
	c.Advance(59 * time.Minute)
	signedIn(t, db, learnerA, device(1).ID)
	if ds, _ := db.Devices(context.Background(), learnerA); !ds[0].Seen.Equal(made) {
		t.Errorf("seen at %v after 59 minutes; a visit within the hour should not write", ds[0].Seen)
	}
	c.Advance(time.Minute)
	signedIn(t, db, learnerA, device(1).ID)
	if ds, _ := db.Devices(context.Background(), learnerA); !ds[0].Seen.Equal(c.Now()) {
		t.Errorf("seen at %v, want %v: an hour went by", ds[0].Seen, c.Now())
	}
}

func TestAtMostTwentyDevices(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	for n := 2; n <= MaxDevices; n++ {
		mustRedeem(t, db, mustCreateLinkCode(t, db, learnerA, device(1)).Code, Joining{Device: device(n)})
	}
	code := mustCreateLinkCode(t, db, learnerA, device(1))
	_, err := db.RedeemLinkCode(ctx, code.Code, Joining{Device: device(99)})
	var full *FullError
	if !errors.As(err, &full) || full.What != FullDevices || full.Max != MaxDevices {
		t.Fatalf("a 21st device: %v, want a *FullError of %s", err, FullDevices)
	}
	// Refused, the code still works once there is room.
	if err := db.SignOutDevice(ctx, learnerA, device(5).ID); err != nil {
		t.Fatal(err)
	}
	mustRedeem(t, db, code.Code, Joining{Device: device(99)})
	if n := len(deviceIDs(t, db, learnerA)); n != MaxDevices {
		t.Errorf("%d devices, want %d", n, MaxDevices)
	}
}

func TestRedeemSignsOutTheBrowsersFormerDevice(t *testing.T) {
	db := mustOpenClock(t, newClock())
	// The browser is device 5 of learner B, which has another device too.
	mustRedeem(t, db, mustCreateLinkCode(t, db, learnerB, device(4)).Code, Joining{Device: device(5)})
	code := mustCreateLinkCode(t, db, learnerA, device(1))
	mustRedeem(t, db, code.Code, Joining{Device: device(6), FromLearner: learnerB, FromDevice: device(5).ID})
	if got := strings.Join(deviceIDs(t, db, learnerB), ","); got != device(4).ID {
		t.Errorf("B's devices = %s, want only device 4: the browser left B", got)
	}
	// A browser entering its own learner's code stays the device it is.
	own := mustCreateLinkCode(t, db, learnerA, device(1))
	mustRedeem(t, db, own.Code, Joining{Device: device(7), FromLearner: learnerA, FromDevice: device(6).ID})
	if got := strings.Join(deviceIDs(t, db, learnerA), ","); got != device(1).ID+","+device(6).ID {
		t.Errorf("A's devices = %s after a browser of A's used A's code", got)
	}
}

func TestDeleteLearnerSignsOutEveryDevice(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	fillLearner(t, db, c, learnerA, 1)
	mustRedeem(t, db, mustCreateLinkCode(t, db, learnerA, device(1)).Code, Joining{Device: device(2)})
	waiting := mustCreateLinkCode(t, db, learnerA, device(1))
	mustCreateLinkCode(t, db, learnerB, device(3))
	if err := db.DeleteLearner(ctx, learnerA); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"devices", "device_learners", "link_codes"} {
		if n := count(t, db, "SELECT count(*) FROM "+table+" WHERE learner_id = ?", learnerA); n != 0 {
			t.Errorf("%s holds %d rows of the deleted learner", table, n)
		}
		if n := count(t, db, "SELECT count(*) FROM "+table+" WHERE learner_id = ?", learnerB); n == 0 {
			t.Errorf("deleting A took B's rows from %s", table)
		}
	}
	for _, n := range []int{1, 2} {
		if signedIn(t, db, learnerA, device(n).ID) {
			t.Errorf("device %d of the deleted learner is still signed in", n)
		}
	}
	_, err := db.RedeemLinkCode(ctx, waiting.Code, Joining{Device: device(4)})
	wantErr(t, "a code of the deleted learner", err, ErrNotFound)
}

func TestLearnerHasProgress(t *testing.T) {
	c := newClock()
	db := mustOpenClock(t, c)
	ctx := context.Background()
	mustCreateLinkCode(t, db, learnerA, device(1)) // a learner, with no progress
	if has, err := db.LearnerHasProgress(ctx, learnerA); err != nil || has {
		t.Errorf("a learner with only a device has progress: %v, %v", has, err)
	}
	mustReview(t, db, c, learnerA, "what-are-microservices", quiz.Good)
	mustCreateQuiz(t, db, learnerB, newQuiz(quizID(1), "saga-01"))
	for _, l := range []string{learnerA, learnerB} {
		if has, err := db.LearnerHasProgress(ctx, l); err != nil || !has {
			t.Errorf("learner %s with a card or a quiz has no progress: %v, %v", l, has, err)
		}
	}
}

func TestMalformedDevicesAreRefused(t *testing.T) {
	db := mustOpenClock(t, newClock())
	ctx := context.Background()
	for _, d := range []NewDevice{
		{ID: "short", Label: "Firefox"},
		{ID: device(1).ID, Label: ""},
		{ID: device(1).ID, Label: strings.Repeat("x", MaxDeviceLabel+1)},
		{ID: device(1).ID, Label: " Firefox"},
		{ID: device(1).ID, Label: "Fire\nfox"},
		{ID: device(1).ID, Label: "Fire\x00fox"},
	} {
		_, err := db.CreateLinkCode(ctx, learnerA, d)
		wantErr(t, fmt.Sprintf("a code for device %q", d), err, ErrInvalid)
	}
	if _, err := db.CreateLinkCode(ctx, learnerA, NewDevice{ID: device(1).ID, Label: strings.Repeat("é", MaxDeviceLabel)}); err != nil {
		t.Errorf("a label of 60 characters (120 bytes): %v", err)
	}
	// A device id already another learner's is not taken over.
	_, err := db.CreateLinkCode(ctx, learnerB, device(1))
	wantErr(t, "a code for A's device made by B", err, ErrInvalid)
}
