"""The user's program folder: save, delete to the trash and restore, duplicate, rename, import,
export, and validation that speaks exactly like the program file loader."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from calftimer.core.exercise import Tempo
from calftimer.core.library import ProgramLibrary
from calftimer.core.program_files import (
    TRASH_DIR,
    delete_user_program,
    duplicate_program,
    export_program_file,
    import_program_file,
    new_program,
    rename_program,
    restore_user_program,
    save_user_program,
    unique_id,
    validate_program,
)
from calftimer.core.programs import (
    BUILTIN_BY_ID,
    BUILTIN_PROGRAMS,
    NAME_MAX,
    Program,
    ProgramFileError,
    load_program_file,
    program_to_dict,
    program_to_json,
)

BUILTIN_IDS = [p.id for p in BUILTIN_PROGRAMS]
FIXED_NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def mine(program_id: str = "my-calves") -> Program:
    return replace(
        duplicate_program(BUILTIN_BY_ID["foundation"], BUILTIN_IDS), id=program_id, name="Mine"
    )


def with_block(program: Program, index: int, **changes: object) -> Program:
    blocks = list(program.blocks)
    blocks[index] = replace(blocks[index], **changes)  # type: ignore[arg-type]
    return replace(program, blocks=tuple(blocks))


def folder_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


# ------------------------------------------------------------------------- save and load


def test_save_writes_id_json_that_loads_back_equal(tmp_path: Path) -> None:
    program = mine()
    path = save_user_program(tmp_path / "programs", program)
    assert path == tmp_path / "programs" / "my-calves.json"
    assert path.read_text(encoding="utf-8") == program_to_json(program)
    assert load_program_file(path) == program
    assert ProgramLibrary.load(tmp_path / "programs").get("my-calves") == program


def test_saving_again_replaces_the_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    save_user_program(tmp_path, mine())
    renamed = rename_program(mine(), "  Evening calves  ")
    save_user_program(tmp_path, renamed)
    assert folder_files(tmp_path) == ["my-calves.json"]
    assert load_program_file(tmp_path / "my-calves.json").name == "Evening calves"


def test_save_refuses_invalid_and_builtin_programs_and_writes_nothing(tmp_path: Path) -> None:
    bad = with_block(mine(), 0, tempo=Tempo(0, 0, 0, 0))
    with pytest.raises(ProgramFileError) as err:
        save_user_program(tmp_path, bad)
    assert err.value.problems == (
        "blocks[0].tempo: one rep must last at least 0.5 seconds in total",
    )
    with pytest.raises(ValueError, match="read-only"):
        save_user_program(tmp_path, BUILTIN_BY_ID["foundation"])
    with pytest.raises(ProgramFileError, match="already used"):
        save_user_program(tmp_path, replace(mine(), id="alfredson"))
    assert folder_files(tmp_path) == []


# ------------------------------------------------------------------- delete and restore


def test_delete_moves_the_file_to_the_trash_and_restore_brings_it_back_unchanged(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "programs"
    path = save_user_program(folder, mine())
    original = path.read_bytes()

    trashed = delete_user_program(folder, "my-calves", now=lambda: FIXED_NOW)
    assert trashed == folder / TRASH_DIR / "my-calves-20250304T050607.json"
    assert not path.exists()
    assert trashed.read_bytes() == original
    assert ProgramLibrary.load(folder).get("my-calves") is None  # the trash is not read

    restored = restore_user_program(trashed, folder)
    assert restored == mine()
    assert path.read_bytes() == original
    assert not trashed.exists()


def test_two_deletes_in_one_second_keep_both_files(tmp_path: Path) -> None:
    save_user_program(tmp_path, mine())
    first = delete_user_program(tmp_path, "my-calves", now=lambda: FIXED_NOW)
    save_user_program(tmp_path, rename_program(mine(), "Second"))
    second = delete_user_program(tmp_path, "my-calves", now=lambda: FIXED_NOW)
    assert first != second
    assert load_program_file(first).name == "Mine"
    assert load_program_file(second).name == "Second"


def test_delete_of_a_missing_program_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no saved program 'nope'"):
        delete_user_program(tmp_path, "nope")


def test_restore_when_the_id_was_taken_meanwhile_uses_a_free_id(tmp_path: Path) -> None:
    save_user_program(tmp_path, mine())
    trashed = delete_user_program(tmp_path, "my-calves", now=lambda: FIXED_NOW)
    save_user_program(tmp_path, rename_program(mine(), "Newer"))
    restored = restore_user_program(trashed, tmp_path)
    assert restored.id == "my-calves-2"
    assert restored.name == "Mine"
    assert load_program_file(tmp_path / "my-calves.json").name == "Newer"
    assert load_program_file(tmp_path / "my-calves-2.json") == restored
    assert not trashed.exists()


# ------------------------------------------------------------------ ids, copies, renames


def test_unique_id_counts_up_and_stays_valid() -> None:
    assert unique_id("walk", []) == "walk"
    assert unique_id("walk", ["walk"]) == "walk-2"
    assert unique_id("walk", ["walk", "walk-2"]) == "walk-3"
    assert unique_id("My Calf Day!", []) == "my-calf-day"
    assert unique_id("***", []) == "program"
    long = unique_id("x" * 60, ["x" * 40])
    assert long == "x" * 38 + "-2"


def test_duplicates_get_unique_ids_and_copy_names() -> None:
    foundation = BUILTIN_BY_ID["foundation"]
    first = duplicate_program(foundation, BUILTIN_IDS)
    assert (first.id, first.name, first.builtin) == (
        "foundation-copy",
        "Copy of Runner's calf foundation",
        False,
    )
    assert first.blocks == foundation.blocks and first.description == foundation.description
    taken = [*BUILTIN_IDS, first.id]
    second = duplicate_program(foundation, taken)
    third = duplicate_program(foundation, [*taken, second.id])
    assert (second.id, third.id) == ("foundation-copy-2", "foundation-copy-3")
    long_name = duplicate_program(replace(foundation, name="n" * NAME_MAX), [])
    assert len(long_name.name) == NAME_MAX
    assert validate_program(long_name) == []


def test_new_program_is_valid_and_avoids_taken_ids() -> None:
    first = new_program(BUILTIN_IDS)
    assert first.id == "my-program" and validate_program(first) == []
    assert new_program([*BUILTIN_IDS, "my-program"]).id == "my-program-2"
    assert new_program([], name="Heel Drops").id == "heel-drops"


def test_rename_keeps_the_id_and_refuses_an_empty_name_or_a_builtin() -> None:
    renamed = rename_program(mine(), "Morning")
    assert (renamed.id, renamed.name) == ("my-calves", "Morning")
    with pytest.raises(ValueError, match=r"^name: must be a non-empty text$"):
        rename_program(mine(), "   ")
    with pytest.raises(ValueError, match="read-only"):
        rename_program(BUILTIN_BY_ID["isometric"], "Holds")


# ------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "program",
    [
        with_block(mine(), 0, tempo=Tempo(0, 0, 0, 0)),
        with_block(mine(), 2, sets=21),
        with_block(mine(), 5, metronome_bpm=None),  # pogo: no tempo and now no beat
        with_block(mine(), 4, load_kg=5.0),  # the heel-toe walk takes no weight
        replace(mine(), name="", blocks=()),
    ],
    ids=["tempo", "sets", "pace", "load", "name-and-blocks"],
)
def test_validate_gives_exactly_the_file_loaders_messages(tmp_path: Path, program: Program) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(program_to_dict(program)), encoding="utf-8")
    with pytest.raises(ProgramFileError) as err:
        load_program_file(path)
    problems = validate_program(program)
    assert problems
    assert problems == list(err.value.problems)
    assert str(err.value).splitlines() == [f"p.json: {p}" for p in problems]


def test_validate_names_the_field_path() -> None:
    assert validate_program(with_block(mine(), 2, sets=21)) == [
        "blocks[2].sets: must be an integer from 1 to 20"
    ]
    assert all(validate_program(p) == [] for p in BUILTIN_PROGRAMS)


# --------------------------------------------------------------------- import and export


def test_export_writes_a_program_file_that_imports_again(tmp_path: Path) -> None:
    target = tmp_path / "out" / "alfredson.json"
    target.parent.mkdir()
    export_program_file(BUILTIN_BY_ID["alfredson"], target)
    assert load_program_file(target) == BUILTIN_BY_ID["alfredson"]
    folder = tmp_path / "programs"
    imported = import_program_file(target, folder, BUILTIN_IDS)
    assert imported.id == "alfredson-2"  # the built-in keeps its id
    assert imported.blocks == BUILTIN_BY_ID["alfredson"].blocks
    assert folder_files(folder) == ["alfredson-2.json"]


def test_export_refuses_an_invalid_program(tmp_path: Path) -> None:
    with pytest.raises(ProgramFileError):
        export_program_file(with_block(mine(), 1, sets=0), tmp_path / "x.json")
    assert folder_files(tmp_path) == []


def test_import_of_a_bad_file_names_file_and_field_and_writes_nothing(tmp_path: Path) -> None:
    data = program_to_dict(mine())
    data["blocks"][1]["sets"] = 99
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    folder = tmp_path / "programs"
    with pytest.raises(ProgramFileError) as err:
        import_program_file(bad, folder, BUILTIN_IDS)
    assert str(err.value) == "bad.json: blocks[1].sets: must be an integer from 1 to 20"
    assert not folder.exists()


def test_import_of_broken_json_gives_the_loaders_message(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": ', encoding="utf-8")
    with pytest.raises(ProgramFileError, match=r"^broken\.json: not valid JSON: "):
        import_program_file(broken, tmp_path / "programs", BUILTIN_IDS)
    assert not (tmp_path / "programs").exists()


def test_import_of_an_id_clash_gets_a_new_id(tmp_path: Path) -> None:
    folder = tmp_path / "programs"
    save_user_program(folder, mine())
    other = rename_program(mine(), "Someone else's")
    source = tmp_path / "shared.json"
    source.write_text(program_to_json(other), encoding="utf-8")

    imported = import_program_file(source, folder, [*BUILTIN_IDS, "my-calves"])
    assert (imported.id, imported.name) == ("my-calves-2", "Someone else's")
    assert load_program_file(folder / "my-calves.json").name == "Mine"
    assert load_program_file(folder / "my-calves-2.json") == imported


def test_importing_the_same_file_twice_saves_it_once(tmp_path: Path) -> None:
    folder = tmp_path / "programs"
    source = tmp_path / "mine.json"
    source.write_text(program_to_json(mine()), encoding="utf-8")
    first = import_program_file(source, folder, BUILTIN_IDS)
    second = import_program_file(source, folder, [*BUILTIN_IDS, first.id])
    assert first == second and first.id == "my-calves"
    assert folder_files(folder) == ["my-calves.json"]
