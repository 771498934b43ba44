"""Common given names, used as evidence that a column holds people's names.

The names are the most frequent given names in the United States Social Security Administration's
public baby-name statistics over recent decades (a public-domain frequency list), lower-cased.
Membership is a signal, not a rule: a column is called a person-name column when many of its first
tokens are common given names and the values are shaped like names.
"""

from __future__ import annotations

FIRST_NAMES: frozenset[str] = frozenset(
    """
    aaliyah aaron abigail adam addison adrian aiden alan albert alejandro alex alexa alexander
    alexandra alexis alice alicia alison allison alyssa amanda amber amelia amy ana andrea andrew
    angel angela angelica anita ann anna anne annie anthony antonio april ariana arthur ashley
    aubrey audrey austin ava avery barbara benjamin beth betty beverly bill billy blake bobby
    bonnie brad bradley brandon brenda brian brianna brittany brooke bruce bryan caleb cameron
    camila candace carl carlos carmen carol caroline carolyn carter catherine charles charlie
    charlotte chase chelsea cheryl chloe chris christian christina christine christopher cindy
    claire clara claudia cody colin connie connor courtney craig crystal cynthia daisy dale dana
    daniel danielle danny david dawn dean deborah debra denise dennis derek destiny diana diane
    diego dominic donald donna doris dorothy douglas dylan earl eddie edgar edith eduardo edward
    elaine eleanor elena eli elijah elizabeth ella ellie emily emma eric erica erin ethan eugene
    eva evan evelyn faith felicia fernando frances francisco frank gabriel gabriella gabrielle
    gail gary gavin george gerald gianna gina gladys glenn gloria grace grayson greg gregory hailey
    haley hannah harold harper harry hazel heather hector heidi helen henry holly hunter ian irene
    isaac isabel isabella isaiah ivan jack jackson jacob jacqueline jaden jake james jamie jane
    janet janice jared jasmine jason javier jayden jean jeffrey jennifer jenny jeremiah jeremy
    jerry jesse jessica jesus jill jimmy jo joan joanne joe joel john johnny jon jonathan jordan
    jorge jose joseph joshua josiah joyce juan judith judy julia julian julie justin kaitlyn karen
    katelyn katherine kathleen kathryn kathy katie kayla keith kelly kelsey kenneth kevin kim
    kimberly kristen kristin kyle laura lauren lawrence layla leah lee leo leonardo lillian lily
    linda lisa logan lois lori louis lucas lucy luis luke lydia lynn mackenzie madeline madison
    maria mariah marie marilyn mario mark martha martin mary mason matthew maya megan melanie
    melissa mia michael michelle miguel mila mildred miranda molly monica morgan nancy naomi
    natalie nathan nathaniel nicholas nicole noah nora norma oliver olivia oscar owen paige pamela
    patricia patrick paul paula peggy peter phillip phyllis rachel ralph randy raymond rebecca
    regina renee riley rita robert roberto robin rodney roger ronald rose roy ruby russell ruth
    ryan sadie samantha samuel sandra sara sarah savannah scarlett scott sean sebastian sergio
    seth shannon sharon shawn sheila shirley sierra sofia sophia sophie stacy stella stephanie
    stephen steven sue susan sydney tammy tanya tara taylor teresa terry theodore theresa thomas
    tiffany timothy tina todd tony tracy travis tyler valerie vanessa victor victoria vincent
    virginia walter wanda wayne wendy william willie wyatt xavier yolanda zachary zoe zoey
    ahmed ali fatima mohammed muhammad omar priya raj rahul wei li ming yuki hiroshi kenji
    sakura jin min ji hyun anh minh thi nguyen olga ivan dmitri sergei anastasia natasha
    pierre jean marie luc sophie lukas hans klaus petra jurgen giulia marco luca francesca
    sofia mateo santiago valentina camila lucia martina diego pablo alejandra
    """.split()
)
