"""Frontline: English-language AI news, published hourly as a Japanese news site."""
