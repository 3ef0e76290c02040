package quiz

import (
	"strings"
	"testing"
)

// The store and the import trust these rules to keep every stored question
// id and topic well formed, and TopicOf to agree with them.
func TestQuestionIDs(t *testing.T) {
	long := strings.Repeat("a", maxIDLen-3) // the longest topic an id can have
	tests := []struct {
		id        string
		valid     bool
		wantTopic string // what TopicOf gives; "" when id has no "-NN"
	}{
		{"saga-03", true, "saga"},
		{"circuit-breaker-12", true, "circuit-breaker"},
		{"a-00", true, "a"},
		{long + "-01", true, long},
		{long + "a-01", false, long + "a"},
		{"saga", false, ""},
		{"saga-3", false, ""},
		{"saga-003", false, ""},
		{"saga-0a", false, ""},
		{"-01", false, ""},
		{"--01", false, "-"},
		{"saga--01", false, "saga-"},
		{"Saga-01", false, "Saga"},
		{"saga_x-01", false, "saga_x"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			if got := ValidQuestionID(tt.id); got != tt.valid {
				t.Errorf("ValidQuestionID(%q) = %v, want %v", tt.id, got, tt.valid)
			}
			if got := TopicOf(tt.id); got != tt.wantTopic {
				t.Errorf("TopicOf(%q) = %q, want %q", tt.id, got, tt.wantTopic)
			}
		})
	}
}

func TestTopics(t *testing.T) {
	for _, tt := range []struct {
		topic string
		want  bool
	}{
		{"saga", true},
		{"circuit-breaker", true},
		{"api-gateway-2", true},
		{strings.Repeat("a", maxIDLen), true},
		{strings.Repeat("a", maxIDLen+1), false},
		{"", false},
		{"-saga", false},
		{"saga-", false},
		{"Saga", false},
		{"saga pattern", false},
		{"saga/x", false},
	} {
		if got := ValidTopic(tt.topic); got != tt.want {
			t.Errorf("ValidTopic(%q) = %v, want %v", tt.topic, got, tt.want)
		}
	}
}

// A bank question's id names its own topic; another topic's id is refused
// even when well formed.
func TestQuestionIDMustNameItsTopic(t *testing.T) {
	for _, tt := range []struct {
		id, topic string
		want      bool
	}{
		{"saga-01", "saga", true},
		{"saga-01", "bulkhead", false},
		{"saga-01", "", false},
		{"saga-1", "saga", false},
		{"sidecar-saga-01", "saga", false},
	} {
		if got := validID(tt.id, tt.topic); got != tt.want {
			t.Errorf("validID(%q, %q) = %v, want %v", tt.id, tt.topic, got, tt.want)
		}
	}
}
