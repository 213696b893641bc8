"""The command line: exit codes, messages, and the importer's promises."""

from __future__ import annotations

import shutil

from conftest import ROOT

import build
from factsite.importer import guess_language, looks_like_heading, slugify


def test_check_passes_and_says_what_it_checked(project, capsys):
    assert build.main(["-C", str(project()), "check"]) == 0
    assert capsys.readouterr().out.strip() == "OK: 1 articles, 3 claims (3 anchored), 3 events, 2 sources"


def test_check_fails_with_exit_code_1(project, capsys):
    root = project({"content/site.yaml": "title: [\n"})
    assert build.main(["-C", str(root), "check"]) == 1
    assert "content/site.yaml:2:1: YAML syntax error" in capsys.readouterr().err


def test_import_never_overwrites_without_force(tmp_path, capsys):
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    seed = "seeds/003_84e0e94de40d26bf.txt"
    assert build.main(["-C", str(tmp_path), "import", seed, "--slug", "omega"]) == 0
    article = tmp_path / "content/articles/omega.md"
    article.write_text(article.read_text() + "\n")  # a reviewer's edit
    edited = article.read_text()
    assert build.main(["-C", str(tmp_path), "import", seed, "--slug", "omega"]) == 1
    assert "exists; pass --force" in capsys.readouterr().err
    assert article.read_text() == edited
    assert build.main(["-C", str(tmp_path), "import", seed, "--slug", "omega", "--force"]) == 0
    assert article.read_text() != edited


def test_imported_article_keeps_every_word_and_lists_what_to_fill_in(tmp_path, capsys):
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copytree(ROOT / "content", tmp_path / "content", ignore=shutil.ignore_patterns("articles", "annotations"))
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    assert build.main(["-C", str(tmp_path), "import", "seeds/000_b6112cb2b94a5a98.txt"]) == 0
    text = (tmp_path / "content/articles/il-percorso-di-sviluppo-di-deepseek.md").read_text()
    assert "published: 2025-08-22\n" in text  # the seed's date marker moved into front matter
    assert "\n## DeepSeek R2 in ritardo: ecco i dettagli\n" in text
    capsys.readouterr()
    assert build.main(["-C", str(tmp_path), "check"]) == 0  # a new article is a draft: its TODOs are warnings
    err = capsys.readouterr().err
    for line in (
        "il-percorso-di-sviluppo-di-deepseek.md:3:8: warning: 'title' must be filled in",
        "il-percorso-di-sviluppo-di-deepseek.md:7:9: warning: 'outlet' must be filled in",
        "il-percorso-di-sviluppo-di-deepseek.yaml:4:7: warning: 'review.by' must be filled in",
    ):
        assert line in err, err
    # The body check ran against the seed and found nothing to report.
    assert "differs from seeds/" not in err


def test_heading_detection_and_slugs():
    assert looks_like_heading("DeepSeek R2 in ritardo: ecco i dettagli")
    assert looks_like_heading("DeepSeek, l’AI cinese addestrata con le migliori GPU NVIDIA nonostante i divieti?")
    assert not looks_like_heading("Il precedente progetto, il modello R1, aveva destato grande interesse.")
    assert slugify("DeepSeek R2 Retrasado: Chips Huawei Obligan") == "deepseek-r2-retrasado-chips-huawei-obligan"
    assert (guess_language("il modello della azienda che è anche"), guess_language("los chips que están para el")) == ("it", "es")
