//! Any bytes as a subtitle file: decoding and conversion to WebVTT.
#![no_main]

use driveshelf::media::subtitles;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (text, _) = subtitles::decode_text(data);
    let vtt = subtitles::srt_to_vtt(&text);
    assert!(vtt.starts_with("WEBVTT"));
    let _ = subtitles::vtt_passthrough(&text);
    let _ = subtitles::subtitle_lang(&text, "film");
});
