"""The sound engine: one output stream, every cue and every word placed by the sample.

- ``clock.FrameClock`` maps the monotonic clock onto the frames of the output stream;
- ``mixer.Mixer`` sums the sounds and phrases handed over into those frames;
- ``engine.SoundEngine`` runs the stream on a thread of its own (an ``AudioOutput``);
- ``speech.SystemVoice`` is the computer's own text-to-speech, started early by its measured
  start-up time.
"""
