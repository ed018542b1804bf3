"""The migrations describe the models as they are: a model change without its migration would
break the next installation's `migrate`, not this one's."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration(capsys):
    with pytest.raises(SystemExit) as stopped:
        call_command("makemigrations", "--check", "--dry-run", verbosity=1)
        raise SystemExit(0)
    assert stopped.value.code == 0, capsys.readouterr().out
