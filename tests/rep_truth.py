"""Rep counts of the shared exercise videos, counted by eye from frame sheets (3-4 frames/s).

Keyed by each file's sha256 (the files are never committed). Convention:
a rep counts when the movement reaches its working end coming from rest:
the bottom of a squat or push-up, the top of a pull-up or curl, the lockout
of a deadlift. A clip that *starts* at the working end does not count that
first one (the rep began before the clip); one that starts part-way into
the movement does. Every curl counts, whichever arm (alternating curls).
`sure` is False where the count is a judgement call; the note says why.

Recount (2026-11-25). The first counts came from sheets of small frames at
3-4 frames/s. Every video where the counter disagreed was looked at again
at 5-6 frames/s with larger frames (and frame by frame where a cut was
suspected), and so were 20 of the 27 videos where it agreed, as a control,
at 5 frames/s where the clip is short. 5 of the 8 re-examined disagreements
changed, 0 of the 20 agreements did. This recount was made knowing the
counter's answers, so `first_reps` keeps the first count and
`benchmarks/rep_accuracy.py` reports against both.
"""

from __future__ import annotations

from typing import NamedTuple


class RepTruth(NamedTuple):
    name: str
    reps: int
    sure: bool = True
    note: str = ""
    first_reps: int | None = None  # the first count, where the recount changed it


REP_TRUTH: dict[str, RepTruth] = {
    "d1430a2678f2e7930a5b04bf1e61d32182b3d02d553640786fcfe1df7465b867": RepTruth(
        "deadlift/ffreaks_deadlift.mp4", 6, note="walks up standing, sets up, 6 lockouts"),
    "c78bd5636e85c3a84168759ea9d03b4774f9b01032fc7dd55af1c619d7b006c7": RepTruth(
        "deadlift/kantesh_deadlift.mp4", 3, note="stands 3 s without the bar first; ends at the floor"),
    "f79a9d7ea3bda8fc8835b2f42b37ba7287f19890c5abd49dc4f5132944cd0189": RepTruth("deadlift/formfit_deadlift.mp4", 2),
    "2056bbb9f997887c18fb1a65c63c8b4dd5791ed74eb3a32267f6205c7b66b991": RepTruth("deadlift/rfn_deadlift3.mp4", 2),
    "93d9d171683b4aee0e190238b6732a305846659fb0d0a62751f010235e4b5c58": RepTruth(
        "deadlift/nmn_deadlift.mp4", 3, note="fades to black at the end"),
    "b879e86425f3731f977803b83e33caebaf0fcf10ebafebaae3e0a06a3cbfd0bd": RepTruth(
        "deadlift/sebitzu_deadlift.mp4", 2, note="dark gym"),
    "38bf65ce65cc350b65d8ea495b7fdbc6aba6c3bbe98ad9edd28b4ffd8062374d": RepTruth("deadlift/jeff_good_deadlift.mp4", 1),
    "b7c24e29bbae2f4405737e8d0b861a925776a3bd0f6e4cb767dbe9970dfb2e37": RepTruth(
        "deadlift/jeff_nico_deadlift.mp4", 1, note="starts half-way down from an earlier rep, not counted"),
    "3fbcf4f2d385ed140884f761241c2c0545bf77d9acba12adb828f9ee4c0457c1": RepTruth("hammer_curl/sukriti_hammer_curls.mp4", 5),
    "cd36ea873343db19e79c9431207bcd7b66d9763bae3afa3d1ef5efac4922694c": RepTruth(
        "hammer_curl/fitbod_hammer_curl.mp4", 12, False, "alternating arms, 6 curls front view then 6 side view"),
    "59cb7ed34c6a84124f01ef0204d811ce4e309f9efc6f03891cbbc3178aa36487": RepTruth("hammer_curl/ffreaks_hammer_curl.mp4", 8),
    "fd7d50716e6bb624123efcb7e6727b80af59bd70d15c8e65b2865a9798c3062c": RepTruth(
        "hammer_curl/odil_hammer_curl.mp4", 3, False, "edited montage of 4 shots; 3 lifts from rest, one shot held"),
    "764e8bcabe9aa9c82091ec100693764d0bbfa742b7653d00118e5638170a1a3a": RepTruth(
        "hammer_curl/julio_hammer_curl.mp4", 5, False, "TikTok montage of several shots and a 2 s end card"),
    "1d36f8d11ce00405eaf233a33c57bc9a080851259fa4a93b3e6292abe88e45af": RepTruth(
        "hammer_curl/prakhar_cable_hammer_curl.mp4", 8, False, "montage of form tips, quick cable curls"),
    "59eb77d8c5a643928829952ba0ccbbf63e29f667270c8678a11d4715120e492f": RepTruth(
        "hammer_curl/fitbod_cross_body_hammer_curl.mp4", 12, False, "alternating cross-body curls, front then side"),
    "c06035ee317dbcf5f9b50f16a8f896f0bab4b13679e3b441626fe4a16497b072": RepTruth(
        "push_up/kaggle_push-up_1.mp4", 3, note="ends at the bottom of the third"),
    "b8aaee92557234e7f0a01ad10fd039f33119d976bb68ffd4ce2bb13b07eef898": RepTruth(
        "push_up/kaggle_push-up_10.mp4", 3, note="filmed from the front"),
    "04b6daf35015158f2717d5a200df34f0bf7fe951c67142d1d9e24789e73ec609": RepTruth(
        "push_up/kaggle_push-up_15.mp4", 1, False, "2.8 s, small movement"),
    "17c523ec584d28bb5326503911df6a61e54b3e7450afc4cb09539e54f178caeb": RepTruth(
        "push_up/kaggle_push-up_26.mp4", 4, True,
        "recount: bottoms at 0.7, 1.9, 3.1 and 4.4 s; the clip ends rising from the fourth", 3),
    "136e2f8845b735b7719b678835fae3f472df6a72d0afa50ea759a230f3f35b40": RepTruth("push_up/kaggle_push-up_36.mp4", 3),
    "814a9339a194987c77f19189fded3b6c8b4bf28273d90a46021c6fa5b18702c0": RepTruth("push_up/kaggle_push-up_42.mp4", 2),
    "754dd554be7d7a01bf5c9186a12f9e4bc2a7f0a8d47d711c925056e584fedc31": RepTruth("push_up/kaggle_push-up_50.mp4", 2),
    "a2f8453c43da05d27394d106098e9f0005b09955de217aa4c40aa9875536c08b": RepTruth(
        "push_up/akshay_pushup.mp4", 1, False,
        "recount: one slow push-up (down 1.6-3.8 s, up by 4.4 s), knees down at the end; the camera "
        "moves in and out, which the first count took for reps", 3),
    "6ee2155507739003196ceda3d624787f884176e22306b56d3f6f303ffcdf3005": RepTruth("pull_up/kaggle_pull_up_5.mp4", 2),
    "5f0e946d32408345ce912df3790324de3d6dfe68ee3325c2105ca16c9e3e2a90": RepTruth(
        "pull_up/kaggle_pull_up_8.mp4", 2, False, "small figure, side view"),
    "7d57ac60772a1279d886a1b7710fae5b6444f553818dd350a4bb3795d33aa0d1": RepTruth("pull_up/kaggle_pull_up_10.mp4", 4),
    "b467c5275241b713dc87bc4a069db75a715d435305564d9e8753147f6232cb1c": RepTruth(
        "pull_up/kaggle_pull_up_11.mp4", 3, True, "recount: tops at 1.0, 3.4 and 6.0 s", 4),
    "481ac2509344f37529dedf4d9cd0729c87132ee0150838f7bf73a7066487fc14": RepTruth(
        "pull_up/kaggle_pull_up_13.mp4", 3, note="long hangs between reps"),
    "ba7910005de4aa67eda193cfb6bdb2b15cdcd24016c43cfcbfc8ef2783ec33e7": RepTruth(
        "pull_up/kaggle_pull_up_23.mp4", 1, False, "starts at the top (not counted), one full rep after"),
    "b5b203b9edccae95349936db6cda338d232eb93c4867f6ac455148ea8dbcd31c": RepTruth(
        "pull_up/ffreaks_pullup.mp4", 3, note="rear view; the third is held at the top"),
    "0e53b14c57a5bc97996e66088246013ebe5f2bbad42767bf623c9afc6b70283d": RepTruth(
        "pull_up/prakhar_weighted_pull-ups.mp4", 5, False, "montage of two shots"),
    "295a257f32238b6eb3e616f50385f5804a38fc1e8e64185f8e682d3efdddbfff": RepTruth("squat/kaggle_squat_9.mp4", 1),
    "5326bbfa5315628138899e50c32aed9c594db85be1f7beea5d19ef180fee0f22": RepTruth(
        "squat/kaggle_squat_12.mp4", 1, False,
        "recount: the first 2 frames are another shot of a person standing with the bar (no squat); "
        "one squat follows", 2),
    "1106dee80bfed3e0c0fdd77c972bad769b0ff2c9104c6e181b5814a64bba5fd2": RepTruth(
        "squat/kaggle_squat_14.mp4", 1, False,
        "far away in a dark rack; recount with larger frames: stands, one squat (1.3-3.3 s), stands", 2),
    "b9783cba7174246884865b903d78c2c2d279528a0b2be03d95a25a529b4c7b1d": RepTruth(
        "squat/kaggle_squat_17.mp4", 1, note="starts at the bottom (not counted)"),
    "662ea3e16246fcbba11e67b9424bdf1fb7cb65df2dd9542196aaed23e7cc2aa3": RepTruth(
        "squat/kaggle_squat_18.mp4", 1, False, "a second squat only starts as the clip ends"),
    "4cef0aff0cd9fda595d75237e80f8ee7a67858fc425a29ff4d21527bf8c3d034": RepTruth(
        "squat/fitbod_air_squats.mp4", 6, note="3 front, 3 side"),
    "8b75c9fdb1ecbce7cdb08a067e75b401f4364717c93c35bc5035f0d5ddfed0e6": RepTruth(
        "squat/prakhar_bodyweight_squats.mp4", 2, note="starts part-way down (counted)"),
    "0adffea5589d697ed739c6453c43a4a36f40b4a3194111c450bcca12818febe3": RepTruth(
        "squat/sebitzu_squat.mp4", 2, False, "dark gym, front view"),
}
