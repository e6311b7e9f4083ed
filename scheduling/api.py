from ninja import NinjaAPI

api = NinjaAPI(title="LGA peer panel and webinar scheduling", version="1")
