"""Common Arabic given names, each with its Arabic spelling and common Latin spellings: data for
:mod:`testament.search.arabic` (docs/name-matching.md, "Arabic names").

Common Arabic given names: the Arabic spelling and a common Latin one. A Latin spelling that can write
one of them (its romanised form is among the spelling's candidates) is that name; where it can write
several (Omar: عمر or عمار), the one whose common Latin spelling is closest (Omar, not Ammar). Two
different names of this list are different names, however close (Hassan حسن, Hussein حسين).
"""

from __future__ import annotations

_GIVEN_NAMES = """
محمد Muhammad|أحمد Ahmad|محمود Mahmoud|مصطفى Mustafa|علي Ali|حسن Hassan|حسين Hussein|خالد Khaled
عمر Omar|عمار Ammar|عامر Amer|سعيد Said/Saeed|سعد Saad|يوسف Yusuf|إبراهيم Ibrahim|إسماعيل Ismail
عبدالله Abdullah|عبدالرحمن Abdulrahman|عبدالرحيم Abdulrahim|عبدالعزيز Abdulaziz|عبدالكريم Abdulkarim
عبدالقادر Abdulkader|عبدالحميد Abdulhamid|عبداللطيف Abdullatif|عبدالسلام Abdulsalam|عبدالرزاق Abdulrazzaq
عبدالمجيد Abdulmajid|عبدالناصر Abdulnasser|عبدالباسط Abdulbasit|عبدالغني Abdulghani|عبدالحليم Abdulhalim
عبدالفتاح Abdulfattah|حمد Hamad|حامد Hamed/Hamid|حميد Hameed/Humaid/Hamid|خليل Khalil|جمال Jamal/Gamal|كمال Kamal|ماهر Maher
مازن Mazen|مالك Malek|منير Munir/Mouneer|نبيل Nabil/Nabeel|نادر Nader|ناصر Nasser|نزار Nizar|هشام Hisham|وليد Walid/Waleed
وائل Wael|ياسر Yasser|زياد Ziad|زكريا Zakaria|طارق Tareq|طه Taha|فراس Firas|فادي Fadi|فيصل Faisal
قاسم Qasim|كريم Karim/Kareem|لؤي Louai|مجد Majd|مراد Murad|معاذ Muaz|منذر Munther|موسى Musa|عيسى Issa
هيثم Haitham|بشار Bashar|بسام Bassam|باسل Basel|أنس Anas|أيمن Ayman|أسامة Osama|رامي Rami|رائد Raed
رياض Riad|سامر Samer|سامي Sami|سليم Salim/Saleem|سليمان Suleiman|شادي Shadi|صالح Saleh|صلاح Salah|عادل Adel
عدنان Adnan|عماد Imad|عثمان Othman/Osman|غسان Ghassan|فؤاد Fouad|فارس Fares|فهد Fahd|إياد Iyad|جهاد Jihad
حازم Hazem|حمزة Hamza|حيدر Haidar|رضوان Radwan|رشيد Rashid/Rasheed|سمير Samir/Sameer|عصام Issam|نوري Nouri
جميل Jamil/Jameel|أكرم Akram|أمجد Amjad|توفيق Tawfiq|ثائر Thaer|جلال Jalal|حسام Hussam|خضر Khader
راشد Rashed|ربيع Rabie|زهير Zuhair|سالم Salem|شريف Sharif|صبحي Subhi|ضياء Diaa|عاطف Atef|علاء Alaa
غازي Ghazi|فايز Fayez|فتحي Fathi|كنان Kinan|مأمون Mamoun|محسن Mohsen|مروان Marwan|مصعب Musab
معتز Moataz|منصور Mansour|مهند Muhannad|نضال Nidal|هاني Hani|وسيم Wassim|ياسين Yassin|يحيى Yahya
يونس Younes|أيوب Ayoub|إدريس Idris|إلياس Elias|داود Dawood|سلمان Salman|نور Nour
فاطمة Fatima|عائشة Aisha|مريم Maryam|زينب Zainab|خديجة Khadija|آمنة Amina|سارة Sara|ليلى Layla
هدى Huda|هبة Hiba|رنا Rana|رهف Rahaf|ديمة Dima|سلمى Salma|سعاد Souad|سميرة Samira|نادية Nadia
ياسمين Yasmin|رزان Razan|لينا Lina|دعاء Duaa|إيمان Iman|أسماء Asma|حنان Hanan|منى Mona|نجلاء Najla
وفاء Wafaa|رغد Raghad|سناء Sanaa|سهام Siham|شيماء Shaimaa|صفاء Safaa|عبير Abeer|غادة Ghada|فرح Farah
لمى Lama|مها Maha|نسرين Nisreen|نوال Nawal|هالة Hala|هيفاء Haifa|يسرى Yusra|بشرى Bushra|جنى Jana
رانيا Rania|رشا Rasha|روان Rawan|زهراء Zahraa|سوسن Sawsan|عفاف Afaf|كوثر Kawthar|لبنى Lubna|ماجدة Majida
ريم Reem/Rim|ريما Rima|حليمة Halima|آدم Adam|إلهام Ilham|أحلام Ahlam|هند Hind|سها Suha|رعد Raad|نصر Nasr|كاسب Kasib/Chasib|بطرس Boutros/Butrus|جورج George/Georges|عبدالإله Abdulilah/Abdalilah|تامر Tamer|ثامر Thamer|رغدة Raghda|نورا Noura/Nora|حاتم Hatem/Hatim|ميساء Maysa/Mayssa|خير Khair/Kheir|كاظم Kazem/Kadhim|ناظم Nazem/Nadhim|فاتنة Fatina|زيد Zaid/Zeid|أنيس Anis|عبدو Abdo/Abdou
هلال Hilal|بلال Bilal|جواد Jawad|رقية Ruqayya|هاشم Hashem|هشام Hisham|طارق Tarek|قاسم Qasim/Kassem|ماجد Majed/Majid|مجيد Majeed|رحيم Rahim|نعيم Naim/Naeem|عبير Abeer|لؤي Louai|فاطمة Fatima/Fatma|يوسف Yusuf/Youssef|محمد Muhammad/Mohamed/Mohammed|حسين Hussein/Husayn|أحمد Ahmad/Ahmed
"""
GIVEN_NAMES = tuple(
    tuple(entry.split()) for line in _GIVEN_NAMES.strip().splitlines() for entry in line.split("|")
)
