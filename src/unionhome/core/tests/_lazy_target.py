from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt


def hello(request, name):
    return HttpResponse(f"hello {name}")


@csrf_exempt
def exempt(request):
    return HttpResponse("")
