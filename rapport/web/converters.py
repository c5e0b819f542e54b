"""`<id:pk>` in page URLs: Django's `<int:>` takes any run of digits, and a 20-digit one reaches
the database as an overflow (a 500); an id past the largest primary key is simply not found."""

from rapport.core.ids import parse_id


class IdConverter:
    regex = "[0-9]{1,20}"

    def to_python(self, value: str) -> int:
        pk = parse_id(value)
        if pk is None:
            raise ValueError(value)  # Django answers 404: no page at this address
        return pk

    def to_url(self, value: int) -> str:
        return str(value)
