"""The exercise catalog: every exercise calftimer can coach, with how-to steps and defaults.

The six exercises of the source article plus the protocol exercises (eccentric heel drops,
isometric hold, heel-rise test). Instructions are written in the project's own words; the numbers
follow ``shared/domain.md`` (suggestions, not medicine).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from calftimer.core.exercise import Exercise, Knee, LoadPolicy, Mode, Muscle, Tempo
from calftimer.core.i18n import N_

G, S = Muscle.GASTROCNEMIUS, Muscle.SOLEUS

EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        id="double_leg_calf_raise",
        name=N_("Double-leg calf raise"),
        muscles=(G, S),
        knee=Knee.STRAIGHT,
        per_side=False,
        mode=Mode.REPS,
        default_sets=3,
        default_target=15,
        tempo=Tempo(2, 1, 2, 0),
        metronome_bpm=None,
        rest_s=60,
        load=LoadPolicy.OPTIONAL,
        cue=N_("Rise tall on both feet, lower slowly below the step."),
        steps=(
            N_("Stand with the balls of both feet on a step, hip-width apart, heels hanging off."),
            N_("Rest a hand on a wall or rail for balance only, not to pull yourself up."),
            N_("Push up through the balls of the feet until the ankles are fully extended."),
            N_("Pause at the top, then lower under control until the heels sink below the step."),
        ),
        tips=(
            N_("Keep the knees straight but not locked so the gastrocnemius does the work."),
            N_("Push through the big toe side; do not let the ankles roll outwards."),
            N_("Once 3 x 20 feels easy, hold a dumbbell or wear a loaded backpack."),
        ),
        equipment=("step",),
    ),
    Exercise(
        id="single_leg_calf_raise",
        name=N_("Single-leg calf raise"),
        muscles=(G, S),
        knee=Knee.STRAIGHT,
        per_side=True,
        mode=Mode.REPS,
        default_sets=3,
        default_target=12,
        tempo=Tempo(2, 1, 3, 0),
        metronome_bpm=None,
        rest_s=75,
        load=LoadPolicy.OPTIONAL,
        cue=N_("Rise high on one foot, lower slowly below the step."),
        steps=(
            N_(
                "Stand on a step by a wall with the ball of one foot on the edge, heel hanging off."
            ),
            N_("Lift the other foot off the step, letting it hang or bending the knee behind you."),
            N_("Let the heel sink below the step, then drive up as high as the ankle allows."),
            N_("Lower slowly; finish all the reps on this leg before switching to the other."),
        ),
        tips=(
            N_(
                "Comparing both legs shows a left/right imbalance; give the weaker side extra care."
            ),
            N_("Touch the wall with your fingertips for balance only, not to help you up."),
            N_("Add reps first and build toward 3 x 20-25 per leg before adding weight."),
        ),
        equipment=("step", "wall"),
    ),
    Exercise(
        id="soleus_squat",
        name=N_("Soleus squat"),
        muscles=(S,),
        knee=Knee.BENT,
        per_side=False,
        mode=Mode.REPS,
        default_sets=3,
        default_target=15,
        tempo=Tempo(2, 1, 2, 0),
        metronome_bpm=None,
        rest_s=60,
        load=LoadPolicy.OPTIONAL,
        cue=N_("Hold the wall sit, lift both heels, lower with control."),
        steps=(
            N_(
                "Lean your back on a wall with the feet shoulder-width apart, about a foot in front."
            ),
            N_("Slide down until the thighs are level with the floor, knees over the ankles."),
            N_(
                "Staying in the squat, rise onto the balls of the feet, then lower the heels again."
            ),
            N_("After the last rep, slide back up the wall to stand."),
        ),
        tips=(
            N_("The bent knee shifts the work onto the soleus, the main load-bearer in running."),
            N_("If the full squat is too hard, sit less deep and go lower as you get stronger."),
        ),
        equipment=("wall",),
    ),
    Exercise(
        id="seated_calf_raise",
        name=N_("Seated calf raise"),
        muscles=(S,),
        knee=Knee.BENT,
        per_side=False,
        mode=Mode.REPS,
        default_sets=3,
        default_target=15,
        tempo=Tempo(2, 1, 2, 0),
        metronome_bpm=None,
        rest_s=75,
        load=LoadPolicy.EXPECTED,
        cue=N_("Push the heels up high, then lower slowly to a stretch."),
        steps=(
            N_("Sit on a chair with the balls of the feet on a block or step, heels off the edge."),
            N_("Rest a weight across the thighs, just above the knees."),
            N_("Let the heels drop until you feel a stretch in the calves."),
            N_("Press up through the balls of the feet as high as you can, then return slowly."),
        ),
        tips=(
            N_("Sitting keeps the knees bent, so the soleus does most of the work."),
            N_("Bodyweight alone is light here; choose a weight that makes the last reps hard."),
            N_("At 3 x 15-20 with good form, add about 2.5-5 kg and drop back to 15 reps."),
        ),
        equipment=("chair", "block or step", "weight"),
    ),
    Exercise(
        id="heel_toe_walk",
        name=N_("Heel-toe walk"),
        muscles=(G, S, Muscle.TIBIALIS, Muscle.FOOT),
        knee=Knee.VARIES,
        per_side=False,
        mode=Mode.TIME,
        default_sets=3,
        default_target=30,
        tempo=None,
        metronome_bpm=None,
        rest_s=45,
        load=LoadPolicy.NONE,
        cue=N_("Land on the heel, roll to the toes, push off tall."),
        steps=(
            N_(
                "Stand upright with your arms out to the sides and your eyes on a fixed point ahead."
            ),
            N_("Step forward onto the heel, roll through the foot and push off from the toes."),
            N_("Keep walking this way for the set, then come back landing toes first, heels last."),
        ),
        tips=(
            N_("Move slowly and smoothly; control matters more than speed."),
            N_("The heel landing works the shin muscles as well as the calves."),
            N_("Use a hallway or a clear strip of floor with nothing to trip over."),
        ),
        pace_m_per_min=15.0,
    ),
    Exercise(
        id="jumping_calf_raise",
        name=N_("Jumping calf raise (pogo)"),
        muscles=(G, S),
        knee=Knee.STRAIGHT,
        per_side=False,
        mode=Mode.REPS,
        default_sets=3,
        default_target=15,
        tempo=None,
        metronome_bpm=120,
        rest_s=75,
        load=LoadPolicy.NONE,
        cue=N_("Bounce off the balls of the feet, land soft, rebound."),
        steps=(
            N_("Stand tall with the feet hip-width apart and brace your core."),
            N_("Spring off the balls of both feet using mainly the ankles."),
            N_("Land quietly on the balls of the feet with the knees slightly bent."),
            N_("Bounce straight back up, keeping the ground contact short; count each landing."),
        ),
        tips=(
            N_("Match each landing to the beat; raise the tempo only when landings stay quiet."),
            N_("Keep the heels just off the floor and the jumps low."),
        ),
        safety=(
            N_(
                "Start only once single-leg raises reach 20 per leg, and do it at most twice a week. "
                "Land softly and stop if you feel sharp pain."
            )
        ),
    ),
    Exercise(
        id="ecc_heel_drop_straight",
        name=N_("Eccentric heel drop, straight knee"),
        muscles=(G,),
        knee=Knee.STRAIGHT,
        per_side=True,
        mode=Mode.REPS,
        default_sets=3,
        default_target=15,
        tempo=Tempo(1, 0, 3, 0),
        metronome_bpm=None,
        rest_s=60,
        load=LoadPolicy.OPTIONAL,
        cue=N_("Up on both feet, lower on one leg for 3 seconds."),
        steps=(
            N_("Stand on a step with the balls of both feet on the edge and the heels free."),
            N_("Rise onto your toes using both legs."),
            N_("Shift your weight onto the working leg, knee straight, and lift the other foot."),
            N_("Lower the heel slowly below the step over about 3 seconds, then repeat."),
        ),
        tips=(
            N_("Use both legs on the way up so the working leg only does the lowering."),
            N_("When the sets feel easy and pain-free, add weight with a loaded backpack."),
        ),
        safety=(
            N_(
                "Mild discomfort during this exercise is accepted in the protocol; stop if it becomes "
                "disabling. Not medical advice. See a clinician for persistent pain."
            )
        ),
        equipment=("step",),
        source="protocol",
    ),
    Exercise(
        id="ecc_heel_drop_bent",
        name=N_("Eccentric heel drop, bent knee"),
        muscles=(S,),
        knee=Knee.BENT,
        per_side=True,
        mode=Mode.REPS,
        default_sets=3,
        default_target=15,
        tempo=Tempo(1, 0, 3, 0),
        metronome_bpm=None,
        rest_s=60,
        load=LoadPolicy.OPTIONAL,
        cue=N_("Up on both feet, bend the knee, lower in 3 seconds."),
        steps=(
            N_("Stand on a step with the balls of both feet on the edge and the heels free."),
            N_("Rise onto your toes using both legs."),
            N_("Shift your weight onto the working leg and bend that knee slightly."),
            N_("Keeping the knee bent, lower the heel below the step over about 3 seconds."),
        ),
        tips=(
            N_("The bent knee moves the work onto the soleus; keep the same bend on every rep."),
            N_("When the sets feel easy and pain-free, add weight with a loaded backpack."),
        ),
        safety=(
            N_(
                "Mild discomfort during this exercise is accepted in the protocol; stop if it becomes "
                "disabling. Not medical advice. See a clinician for persistent pain."
            )
        ),
        equipment=("step",),
        source="protocol",
    ),
    Exercise(
        id="isometric_calf_hold",
        name=N_("Isometric calf hold"),
        muscles=(G, S),
        knee=Knee.STRAIGHT,
        per_side=True,
        mode=Mode.TIME,
        default_sets=5,
        default_target=45,
        tempo=None,
        metronome_bpm=None,
        rest_s=120,
        load=LoadPolicy.EXPECTED,
        cue=N_("Hold the heel high and still; breathe steadily."),
        steps=(
            N_("Stand on one leg holding a weight, fingertips on a wall for balance."),
            N_("Rise partway onto the ball of the foot, with the heel clearly off the floor."),
            N_("Hold that height without moving until the timer ends."),
            N_("Lower gently, rest, then repeat; complete all holds on one leg, then switch."),
        ),
        tips=(
            N_("Pick a load that feels like 7-8 out of 10 effort by the end of each hold."),
            N_("Keep the ankle from drifting down; if it does, the load is too heavy."),
        ),
        safety=(
            N_(
                "This hold is a strength exercise, not a treatment; it may not ease pain. Stop if you "
                "feel sharp pain. Not medical advice. See a clinician for persistent pain."
            )
        ),
        equipment=("weight", "wall"),
        source="protocol",
    ),
    Exercise(
        id="heel_rise_test",
        name=N_("Heel-rise endurance test"),
        muscles=(G, S),
        knee=Knee.STRAIGHT,
        per_side=True,
        mode=Mode.TEST,
        default_sets=1,
        default_target=60,
        tempo=None,
        metronome_bpm=60,
        rest_s=120,
        load=LoadPolicy.NONE,
        cue=N_("One beat up, one beat down; press Enter when you stop."),
        steps=(
            N_("Warm up with 10 calf raises on both legs."),
            N_("Stand on one leg, on a 10-degree wedge if you have one, fingertips on a wall."),
            N_("Raise and lower the heel in time with the beat for as many reps as you can."),
            N_(
                "Stop when the heel no longer rises fully, you lose the beat, the knee or trunk "
                "bends, or you need more than fingertip support."
            ),
            N_("Rest 2 minutes, then test the other leg."),
        ),
        tips=(
            N_("Rise as high as you can every time; partial reps do not count."),
            N_("Repeat the test about every 4 weeks under the same conditions to compare."),
        ),
        safety=(
            N_(
                "Stop if the test becomes painful. Not medical advice. "
                "See a clinician for persistent pain."
            )
        ),
        equipment=("wall",),
        source="protocol",
    ),
)

CATALOG: Mapping[str, Exercise] = MappingProxyType({e.id: e for e in EXERCISES})


def exercise(exercise_id: str) -> Exercise:
    """The catalog entry for ``exercise_id``; KeyError names the id when it does not exist."""
    try:
        return CATALOG[exercise_id]
    except KeyError:
        raise KeyError(f"unknown exercise id {exercise_id!r}") from None
