"""The demo city."""

from __future__ import annotations

from trainer.errors import InputError
from trainer.progress import Task
from trainer.service.core import ServiceCore


class DemoUseCases(ServiceCore):
    """An invented city to try the product on."""

    # -------------------------------------------------------------------- demo
    def create_demo(
        self,
        staff_count: int = 300,
        seed: int = 1,
        fiscal_year: int | str | None = None,
        years: int = 2,
        force: bool = False,
        task: Task | None = None,
    ) -> dict[str, int]:
        """Fill an empty register with an invented city (``force`` to add to a non-empty one)."""
        if staff_count < 1:
            raise InputError(f"職員数 {staff_count} は1以上にしてください")
        self.register.refresh()
        if not force and not self.register.is_empty():
            raise InputError(
                f"データベース {self.register.folder} にはすでにデータがあります",
                "別の --db を指定するか、上書きしてよければ --force を付けてください",
            )
        fy = self.fiscal_year(fiscal_year)
        from trainer.demo import build_demo  # (the demo city's generator: only this command needs it)

        city = build_demo(self.catalog, staff_count, seed, fy, self.today(), years, task)
        with self.register.transaction():
            if force and not self.register.is_empty():
                self.register.db.backup("before-demo")
                self.register.clear()
            self.register.put_divisions(city.divisions)
            self.register.put_staff(city.staff)
            self.register.put_records(city.records)
            self.register.put_exemptions(city.exemptions)
            self._about("demo", f"デモの市を作成（職員 {len(city.staff)}人、乱数の種 {seed}）")
        self.register.db.checkpoint()
        return {
            "divisions": len(city.divisions),
            "staff": len(city.staff),
            "records": len(city.records),
            "exemptions": len(city.exemptions),
        }
