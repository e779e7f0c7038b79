//go:build !opus

package softphone

import "github.com/emiago/diago/media"

// This file stands in for opus.go in builds without the opus tag: no Opus,
// nothing asked of the system (no libopus).

// opusBuilt tells whether this build speaks Opus.
const opusBuilt = false

// codecOpus is never negotiated without the opus tag.
const codecOpus codec = 111

// mediaCodecOpus is unused without the opus tag.
var mediaCodecOpus media.Codec

// opusDecoder is not built without the opus tag.
type opusDecoder struct{}

// opusEncoder is not built without the opus tag.
type opusEncoder struct{}

func (*opusDecoder) decode(dst []int16, _ []byte) []int16 { return dst }

func (*opusEncoder) encode(dst []byte, _ []int16) int { return 0 }

func newOpusDecoder() *opusDecoder { return &opusDecoder{} }

func newOpusEncoder() *opusEncoder { return &opusEncoder{} }
